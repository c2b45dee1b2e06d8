# shellcheck shell=bash
# oci_image_tar: build a single-layer OCI image archive from a directory,
# with no registry and no Docker (nothing can be pulled on these machines).
# The archive imports with `ctr -n k8s.io images import <tar>`.
#
#   oci_image_tar <image-ref> <rootfs-dir> <out.tar> <entrypoint-json-array> [user]
#   e.g. oci_image_tar registry.k8s.io/pause:3.10 ./root pause.tar '["/pause"]' 65535
#
# Reproducible: sorted entries, fixed owner and mtime, gzip without timestamp.
oci_image_tar() {
  local ref="$1" rootfs="$2" out="$3" entry="$4" user="${5:-}"
  local w; w=$(mktemp -d)
  mkdir -p "$w/blobs/sha256"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$rootfs" -cf "$w/layer.tar" .
  local diff_id; diff_id=$(sha256sum "$w/layer.tar" | cut -d' ' -f1)
  gzip -n -9 <"$w/layer.tar" >"$w/layer.tgz"
  local layer_digest layer_size
  layer_digest=$(sha256sum "$w/layer.tgz" | cut -d' ' -f1); layer_size=$(stat -c %s "$w/layer.tgz")
  mv "$w/layer.tgz" "$w/blobs/sha256/$layer_digest"; rm -f "$w/layer.tar"

  jq -cn --argjson entry "$entry" --arg user "$user" --arg diff "sha256:$diff_id" '{
      architecture: "amd64", os: "linux",
      config: ({Entrypoint: $entry, Env: ["PATH=/usr/local/bin:/usr/bin:/bin:/"]} + (if $user == "" then {} else {User: $user} end)),
      rootfs: {type: "layers", diff_ids: [$diff]},
      history: [{created_by: "infra/local-cluster/lib/oci-image.sh"}]
    }' >"$w/config.json"
  local cfg_digest cfg_size
  cfg_digest=$(sha256sum "$w/config.json" | cut -d' ' -f1); cfg_size=$(stat -c %s "$w/config.json")
  mv "$w/config.json" "$w/blobs/sha256/$cfg_digest"

  jq -cn --arg cd "sha256:$cfg_digest" --argjson cs "$cfg_size" \
         --arg ld "sha256:$layer_digest" --argjson ls "$layer_size" '{
      schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
      layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $ld, size: $ls}]
    }' >"$w/manifest.json"
  local m_digest m_size
  m_digest=$(sha256sum "$w/manifest.json" | cut -d' ' -f1); m_size=$(stat -c %s "$w/manifest.json")
  mv "$w/manifest.json" "$w/blobs/sha256/$m_digest"

  jq -cn --arg md "sha256:$m_digest" --argjson ms "$m_size" --arg ref "$ref" '{
      schemaVersion: 2,
      manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $md, size: $ms,
                   platform: {architecture: "amd64", os: "linux"},
                   annotations: {"io.containerd.image.name": $ref,
                                 "org.opencontainers.image.ref.name": ($ref | split(":") | last)}}]
    }' >"$w/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' >"$w/oci-layout"
  mkdir -p "$(dirname "$out")"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$w" -cf "$out" oci-layout index.json blobs
  rm -rf "$w"
}
