{{/*
RBAC rules come from ONE file, rbac-rules.yaml at the chart root (also read by hack/check-rbac.py).
Call with (dict "ctx" $ "key" "controller"|"leaderElection").
*/}}
{{- define "sextant.rbacRules" -}}
{{- $all := .ctx.Files.Get "rbac-rules.yaml" | fromYaml }}
{{- if not (hasKey $all .key) }}
{{- fail (printf "rbac-rules.yaml has no %q list" .key) }}
{{- end }}
{{- toYaml (get $all .key) }}
{{- end }}
