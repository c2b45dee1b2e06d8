# shellcheck shell=bash
# Helpers shared by the image scripts: copy host binaries with the shared libraries
# they load into a root filesystem, and import such a tree as a one-layer image.

# rootfs_add_binary <rootfs> <path>...: copy each binary and every library ldd lists for it.
rootfs_add_binary() {
  local root="$1"; shift
  local bin lib
  for bin in "$@"; do
    bin=$(readlink -f "$bin")
    install -D -m 0755 "$bin" "$root$bin"
    # ldd prints "name => /path (addr)" for libraries and "/path (addr)" for the loader.
    for lib in $(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
      rootfs_add_file "$root" "$lib"
    done
  done
}

# rootfs_add_file <rootfs> <path>: copy a file, and the target too when the path is a symlink.
rootfs_add_file() {
  local root="$1" path="$2" real
  real=$(readlink -f "$path")
  install -D -m 0755 "$real" "$root$real"
  if [ "$real" != "$path" ]; then
    mkdir -p "$root$(dirname "$path")"
    ln -sf "$real" "$root$path"
  fi
}

# rootfs_base <rootfs> <uid> <user>: the files every image needs besides its binaries.
rootfs_base() {
  local root="$1" uid="$2" user="$3"
  mkdir -p "$root"/{etc,tmp,home/"$user",usr/bin,bin,lib64}
  chmod 1777 "$root/tmp"
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\n%s:x:%s:%s::/home/%s:/usr/sbin/nologin\n' "$user" "$uid" "$uid" "$user" >"$root/etc/passwd"
  printf 'root:x:0:\n%s:x:%s:\n' "$user" "$uid" >"$root/etc/group"
  printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
  chown "$uid:$uid" "$root/home/$user"
  # The machine's trust store, so TLS to a managed database (or, at build time, the
  # npm registry through this machine's egress proxy) verifies.
  install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
}

# image_import <rootfs> <ref> <docker --change>...: import the tree as a single-layer image.
image_import() {
  local root="$1" ref="$2"; shift 2
  local changes=()
  local c
  for c in "$@"; do changes+=(--change "$c"); done
  tar --sort=name --numeric-owner --mtime=@0 -C "$root" -c . | docker import "${changes[@]}" - "$ref" >/dev/null
  echo "built $ref"
}
