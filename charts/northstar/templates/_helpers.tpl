{{/*
The system's shape, copied from services/contracts/src/topology.ts (the chart
cannot import it; cdk8s/test/helm-parity.test.ts holds the two equal).
Service names are DNS names the gateway dials: they are not configurable.
*/}}
{{- define "northstar.topology" -}}
gateway:
  component: gateway
  transport: http
  portEnv: PORT
  port: 3001
  healthPort: 3001
roadmap:
  component: microservice
  transport: tcp
  portEnv: MS_PORT
  port: 3002
  healthPort: 3102
  clientEnv: {host: MS_ONE_HOST, port: MS_ONE_PORT}
  database: roadmap
identity:
  component: microservice
  transport: tcp
  portEnv: MS_PORT
  port: 3003
  healthPort: 3103
  clientEnv: {host: MS_TWO_HOST, port: MS_TWO_PORT}
  database: identity
postgres:
  port: 5432
{{- end }}

{{/* The services in the order cdk8s makes them. */}}
{{- define "northstar.serviceNames" -}}
[gateway, roadmap, identity]
{{- end }}

{{- define "northstar.chart" -}}
{{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels a Service, PDB or NetworkPolicy selects one workload's pods by: the same
two cdk8s uses, so a Deployment's immutable selector is the same whichever tool
created it. (No instance label: one release per namespace, see values.yaml.)
Argument: the workload name.
*/}}
{{- define "northstar.selectorLabels" -}}
app.kubernetes.io/name: {{ . }}
app.kubernetes.io/part-of: northstar
{{- end }}

{{/* Labels every object carries besides part-of and its own. Argument: the root context. */}}
{{- define "northstar.commonLabels" -}}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ include "northstar.chart" . }}
{{- with .Values.profile }}
northstar.dev/profile: {{ . }}
{{- end }}
{{- end }}

{{/* Labels of one workload's objects. Argument: dict ctx, name, component. */}}
{{- define "northstar.labels" -}}
{{ include "northstar.selectorLabels" .name }}
app.kubernetes.io/component: {{ .component }}
{{ include "northstar.commonLabels" .ctx }}
{{- end }}

{{/* Labels of objects that belong to no one workload (NetworkPolicies, Secrets). Argument: the root context. */}}
{{- define "northstar.sharedLabels" -}}
app.kubernetes.io/part-of: northstar
{{ include "northstar.commonLabels" . }}
{{- end }}

{{/*
An image reference. Argument: dict image (the service's block), defaults
(the top-level `image` block, or an empty dict), field (the values path of
`image`, for messages), ctx.
*/}}
{{- define "northstar.image" -}}
{{- $d := .defaults | default dict -}}
{{- $registry := .image.registry | default $d.registry | default "" -}}
{{- $tag := .image.tag | default $d.tag | default .ctx.Chart.AppVersion -}}
{{- if eq (toString $tag) "latest" -}}
{{- fail (printf "%s.tag resolves to 'latest': name the version being deployed" .field) -}}
{{- end -}}
{{- $ref := .image.repository -}}
{{- with $registry }}{{ $ref = printf "%s/%s" (trimSuffix "/" .) $ref }}{{ end -}}
{{- if .image.digest -}}
{{ printf "%s@%s" $ref .image.digest }}
{{- else -}}
{{ printf "%s:%s" $ref (toString $tag) }}
{{- end -}}
{{- end }}

{{/* Names of the Secrets the pods read: the user's, or the ones the chart generates (cdk8s SECRET_REFS). */}}
{{- define "northstar.jwtSecretName" -}}
{{ .Values.secrets.jwt.existingSecret | default "northstar-jwt" }}
{{- end }}
{{- define "northstar.webhookSecretName" -}}
{{ .Values.secrets.webhook.existingSecret | default "northstar-webhook" }}
{{- end }}
{{- define "northstar.databaseSecretName" -}}
{{ .Values.database.existingSecret | default "northstar-db" }}
{{- end }}

{{/*
The data of the Secrets the chart generates, as YAML {secretName: {key: base64}}.
A Secret already in the cluster is read back and kept whole; a missing one gets
fresh values. Computed once per render and memoised, so the Secret objects and
the pods' checksum annotations see the same random values.
*/}}
{{- define "northstar.generatedSecrets" -}}
{{- if not (hasKey .Values "__generatedSecrets") -}}
{{- $out := dict -}}
{{- $ns := .Release.Namespace -}}
{{- if not .Values.secrets.jwt.existingSecret -}}
{{- $found := lookup "v1" "Secret" $ns "northstar-jwt" -}}
{{- $_ := set $out "northstar-jwt" ($found.data | default (dict "JWT_SIGNING_KEYS" (genPrivateKey "ecdsa" | b64enc))) -}}
{{- end -}}
{{- if not .Values.secrets.webhook.existingSecret -}}
{{- $found := lookup "v1" "Secret" $ns "northstar-webhook" -}}
{{- $_ := set $out "northstar-webhook" ($found.data | default (dict "WEBHOOK_SECRET" (randAlphaNum 48 | b64enc))) -}}
{{- end -}}
{{- if not .Values.database.existingSecret -}}
{{- $found := lookup "v1" "Secret" $ns "northstar-db" -}}
{{- if $found.data -}}
{{- $_ := set $out "northstar-db" $found.data -}}
{{- else -}}
{{- $topology := include "northstar.topology" . | fromYaml -}}
{{- $password := randAlphaNum 32 -}}
{{- $url := printf "postgres://postgres:%s@postgres:%v/%%s" $password $topology.postgres.port -}}
{{- $_ := set $out "northstar-db" (dict
      "POSTGRES_PASSWORD" ($password | b64enc)
      "ROADMAP_DATABASE_URL" (printf $url $topology.roadmap.database | b64enc)
      "IDENTITY_DATABASE_URL" (printf $url $topology.identity.database | b64enc)) -}}
{{- end -}}
{{- end -}}
{{- $_ := set .Values "__generatedSecrets" $out -}}
{{- end -}}
{{- toYaml (get .Values "__generatedSecrets") -}}
{{- end }}

{{/*
Checksum annotations for one service's pod template: its ConfigMap and the
Secrets it reads, so a changed setting or rotated secret rolls the pods.
A Secret named by existingSecret is outside the chart; roll the pods yourself
(kubectl rollout restart) after changing it. Argument: dict ctx, name, config.
*/}}
{{- define "northstar.checksums" -}}
{{- $generated := include "northstar.generatedSecrets" .ctx | fromYaml -}}
{{- $secrets := dict -}}
{{- range $name := .secrets -}}
{{- with get $generated $name }}{{ $_ := set $secrets $name . }}{{ end -}}
{{- end -}}
checksum/config: {{ toJson .config | sha256sum }}
checksum/secret: {{ toJson $secrets | sha256sum }}
{{- end }}

{{/*
Validation that JSON Schema cannot express. Each message names the value to
change. Argument: the root context.
*/}}
{{- define "northstar.validate" -}}
{{- $v := .Values -}}
{{- if and (not $v.postgresql.enabled) (not $v.database.existingSecret) -}}
{{- fail "database.existingSecret is required when postgresql.enabled is false: name a Secret holding ROADMAP_DATABASE_URL and IDENTITY_DATABASE_URL" -}}
{{- end -}}
{{- $s := $v.shutdown -}}
{{- $needed := add $s.preStopSleepSeconds (div (add $s.shutdownDelayMs 999) 1000) $s.drainSeconds -}}
{{- if le (int $s.terminationGracePeriodSeconds) (int $needed) -}}
{{- fail (printf "shutdown.terminationGracePeriodSeconds (%v) must exceed preStopSleepSeconds + shutdownDelayMs + drainSeconds (%v s), or the kubelet kills pods mid-drain" $s.terminationGracePeriodSeconds $needed) -}}
{{- end -}}
{{- range $name := include "northstar.serviceNames" . | fromYamlArray -}}
{{- $svc := get $v $name -}}
{{- if and $svc.autoscaling.enabled (lt (int $svc.autoscaling.maxReplicas) (int $svc.autoscaling.minReplicas)) -}}
{{- fail (printf "%s.autoscaling.maxReplicas (%v) must be >= %s.autoscaling.minReplicas (%v)" $name $svc.autoscaling.maxReplicas $name $svc.autoscaling.minReplicas) -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/* Smallest number of pods a service runs. Argument: the service's values. */}}
{{- define "northstar.minReplicas" -}}
{{ if .autoscaling.enabled }}{{ .autoscaling.minReplicas }}{{ else }}{{ .replicas }}{{ end }}
{{- end }}

{{/*
One service's ConfigMap data (its environment), as YAML. extraConfig adds keys
but never replaces the chart's. Argument: dict ctx, name.
*/}}
{{- define "northstar.configData" -}}
{{- $topology := include "northstar.topology" .ctx | fromYaml -}}
{{- $t := get $topology .name -}}
{{- $values := get .ctx.Values .name -}}
{{- $data := dict
      $t.portEnv (toString $t.port)
      "LOG_LEVEL" $values.logLevel
      "SHUTDOWN_DELAY_MS" (toString .ctx.Values.shutdown.shutdownDelayMs) -}}
{{- if eq $t.transport "tcp" -}}
{{- $_ := set $data "MS_HOST" "0.0.0.0" -}}
{{- $_ := set $data "HEALTH_PORT" (toString $t.healthPort) -}}
{{- else -}}
{{- range $svc := list "roadmap" "identity" -}}
{{- $st := get $topology $svc -}}
{{- $_ := set $data $st.clientEnv.host $svc -}}
{{- $_ := set $data $st.clientEnv.port (toString $st.port) -}}
{{- end -}}
{{- $_ := set $data "CORS_ORIGINS" (join "," $values.corsOrigins) -}}
{{- end -}}
{{- toYaml (merge $data ($values.extraConfig | default dict)) -}}
{{- end }}

{{/*
Variables each service reads from Secrets, as YAML {ENV: {secret, key}}; the
keys are cdk8s's SECRET_REFS. Argument: dict ctx, name.
*/}}
{{- define "northstar.secretEnv" -}}
{{- if eq .name "gateway" }}
WEBHOOK_SECRET: {secret: {{ include "northstar.webhookSecretName" .ctx }}, key: WEBHOOK_SECRET}
{{- else }}
DATABASE_URL: {secret: {{ include "northstar.databaseSecretName" .ctx }}, key: {{ upper .name }}_DATABASE_URL}
{{- end }}
{{- if eq .name "identity" }}
JWT_SIGNING_KEYS: {secret: {{ include "northstar.jwtSecretName" .ctx }}, key: JWT_SIGNING_KEYS}
{{- end }}
{{- end }}

{{/* The pod and container security context of Pod Security `restricted`. Argument: the uid. */}}
{{- define "northstar.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ . }}
runAsGroup: {{ . }}
fsGroup: {{ . }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end }}
{{- define "northstar.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ . }}
runAsGroup: {{ . }}
privileged: false
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end }}
