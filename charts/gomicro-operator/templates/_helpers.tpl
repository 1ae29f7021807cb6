{{- define "gomicro-operator.labels" -}}
app.kubernetes.io/name: gomicro-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: gomicro
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "gomicro-operator.selector" -}}
app.kubernetes.io/name: gomicro-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
