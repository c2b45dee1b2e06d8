// nettool: the network probe in the rung-3 test image (static, pure-Go DNS).
//
//	nettool serve :8080          HTTP server answering its hostname
//	nettool get http://host/     print the body, exit 1 on error
//	nettool lookup name          print every address, exit 1 if none
//	nettool tcp host:port        exit 0 if a TCP connection opens
//	nettool burn N               spin N goroutines forever (CPU load for HPA tests)
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: nettool serve|get|lookup|tcp ARG")
		os.Exit(2)
	}
	arg := os.Args[2]
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	switch os.Args[1] {
	case "serve":
		host, _ := os.Hostname()
		http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, host) })
		fail(http.ListenAndServe(arg, nil))
	case "get":
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, arg, nil)
		fail(err)
		res, err := http.DefaultClient.Do(req)
		fail(err)
		defer res.Body.Close()
		_, err = io.Copy(os.Stdout, res.Body)
		fail(err)
		if res.StatusCode >= 400 {
			fail(fmt.Errorf("HTTP %d", res.StatusCode))
		}
	case "lookup":
		addrs, err := net.DefaultResolver.LookupHost(ctx, arg)
		fail(err)
		for _, a := range addrs {
			fmt.Println(a)
		}
	case "tcp":
		c, err := (&net.Dialer{}).DialContext(ctx, "tcp", arg)
		fail(err)
		c.Close()
	case "burn":
		n, err := strconv.Atoi(arg)
		fail(err)
		for i := 0; i < n; i++ {
			go func() {
				for x := 0; ; x++ {
					_ = x * x
				}
			}()
		}
		select {}
	default:
		fail(fmt.Errorf("unknown command %q", os.Args[1]))
	}
}

func fail(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "nettool:", err)
		os.Exit(1)
	}
}
