# shellcheck shell=bash
# PKI for the local cluster, generated at `up` into $LC_STATE/pki (never git).
# ECDSA P-256 keys: fast to generate (the whole set takes about a second).

PKI="$LC_STATE/pki"

_key() { openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl pkcs8 -topk8 -nocrypt -out "$1"; }

# _ca <name> <CN>
_ca() {
  [ -f "$PKI/$1.crt" ] && return
  _key "$PKI/$1.key"
  openssl req -x509 -new -key "$PKI/$1.key" -subj "/CN=$2" -days 3650 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -out "$PKI/$1.crt" 2>/dev/null
}

# _cert <ca> <name> <subject> <client|server|both> [SANs]
_cert() {
  local ca="$1" name="$2" subj="$3" kind="$4" sans="${5:-}"
  [ -f "$PKI/$name.crt" ] && return
  _key "$PKI/$name.key"
  local eku
  case "$kind" in client) eku=clientAuth;; server) eku=serverAuth;; both) eku=serverAuth,clientAuth;; esac
  local ext="$PKI/$name.ext"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    [ -n "$sans" ] && echo "subjectAltName=$sans"
  } >"$ext"
  openssl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" -CAcreateserial \
    -days 365 -sha256 -extfile "$ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$ext"
}

# kubeconfig <file> <cert-name> [server]
write_kubeconfig() {
  local f="$1" c="$2" server="${3:-$APISERVER_URL}"
  cat >"$f" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: northstar-local
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 <"$PKI/ca.crt")
users:
- name: $c
  user:
    client-certificate-data: $(base64 -w0 <"$PKI/$c.crt")
    client-key-data: $(base64 -w0 <"$PKI/$c.key")
contexts:
- name: northstar-local
  context: {cluster: northstar-local, user: $c}
current-context: northstar-local
EOF
  chmod 600 "$f"
}

gen_pki() { # gen_pki <rung> <node-name> <node-ip>
  local rung="$1" node="${2:-}" nodeip="${3:-}"
  need_cmd openssl
  step "generate certificates and service-account keys ($PKI)"
  mkdir -p "$PKI"; chmod 700 "$PKI"
  _ca ca "northstar-local-ca"
  _ca front-proxy-ca "northstar-local-front-proxy-ca"
  local api_sans="IP:127.0.0.1,IP:${SERVICE_CIDR%.0/*}.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  [ -n "$nodeip" ] && api_sans="$api_sans,IP:$nodeip"
  _cert ca apiserver "/CN=kube-apiserver" server "$api_sans"
  _cert ca admin "/O=system:masters/CN=northstar-admin" client
  _cert ca apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" client
  _cert front-proxy-ca front-proxy-client "/CN=front-proxy-client" client
  _cert ca kube-controller-manager "/CN=system:kube-controller-manager" client
  _cert ca kube-scheduler "/CN=system:kube-scheduler" client
  _cert ca kwok "/O=system:masters/CN=kwok-controller" client
  if [ "$rung" -ge 3 ]; then
    _cert ca kubelet "/O=system:nodes/CN=system:node:$node" client
    _cert ca kubelet-serving "/O=system:nodes/CN=system:node:$node" server "DNS:$node,IP:$nodeip,IP:127.0.0.1"
    _cert ca kube-proxy "/CN=system:kube-proxy" client
    # Local-only shortcut: cluster-admin instead of kube-router's own ClusterRole.
    _cert ca kube-router "/O=system:masters/CN=kube-router" client
  fi
  if [ ! -f "$PKI/sa.key" ]; then
    _key "$PKI/sa.key"; openssl ec -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  fi
  local c
  for c in admin kube-controller-manager kube-scheduler kwok; do write_kubeconfig "$LC_STATE/$c.kubeconfig" "$c"; done
  if [ "$rung" -ge 3 ]; then
    write_kubeconfig "$LC_STATE/kubelet.kubeconfig" kubelet
    write_kubeconfig "$LC_STATE/kube-proxy.kubeconfig" kube-proxy
    write_kubeconfig "$LC_STATE/kube-router.kubeconfig" kube-router
  fi
  step_done
}
