package secrets

import (
	"testing"

	"github.com/kubeharden/kubeharden/pkg/checks/checktest"
)

type wantFailure struct{ path, msg string }

func assertFailures(t *testing.T, outs map[string]checktest.Outcome, name string, want ...wantFailure) {
	t.Helper()
	got := outs[name].Failures
	if len(got) != len(want) {
		t.Errorf("%s: got %d failures %v, want %d", name, len(got), got, len(want))
		return
	}
	for i, w := range want {
		if got[i].Path != w.path || got[i].Message != w.msg {
			t.Errorf("%s failure %d:\n got %s: %s\nwant %s: %s", name, i, got[i].Path, got[i].Message, w.path, w.msg)
		}
	}
}

// literalSecrets are the made-up credentials written literally in testdata/credentials.yaml.
var literalSecrets = []string{"Tr0ub4dor-and-3", "hunter2hunter", "s3cret", "minio123", "AKIAIOSFODNN7EXAMPLE"}

func TestCredentials(t *testing.T) {
	path, vals := fixture(t, "credentials.yaml")
	outs := checktest.Expect(t, "NS-35", path)

	tpl := "spec.template.spec.containers[0]"
	cases := map[string][]wantFailure{
		"fail-env-password": {{tpl + ".env[2].value", `env var "DB_PASSWORD" of container "api" holds a value that looks like a password`}},
		"fail-env-camelcase": {
			{"spec.containers[0].env[0].value", `env var "dbPassword" of container "worker" holds a value that looks like a password`},
			{"spec.containers[0].env[1].value", `env var "apiKey" of container "worker" holds a value that looks like an API key`},
		},
		"fail-env-short-password": {
			{"spec.containers[0].env[0].value", `env var "MYSQL_ROOT_PASSWORD" of container "mysql" holds a value that looks like a password`},
			{"spec.containers[0].env[1].value", `env var "MINIO_SECRET_KEY" of container "mysql" holds a value that looks like a secret key`},
		},
		"fail-configmap-aws-secret-key": {{"data.AWS_SECRET_ACCESS_KEY", `ConfigMap key "AWS_SECRET_ACCESS_KEY" holds a value that looks like an AWS secret access key`}},
		"fail-annotation-token":         {{`metadata.annotations["example.com/api-token"]`, `annotation "example.com/api-token" holds a value that looks like a token`}},
		"fail-pod-template-annotation":  {{`spec.template.metadata.annotations["vault.example.com/client-secret"]`, `pod template annotation "vault.example.com/client-secret" holds a value that looks like a secret`}},
		"fail-configmap-aws-key-id":     {{`data["aws.conf"]`, `ConfigMap key "aws.conf" contains an AWS access key ID`}},
		"fail-init-container-github-token": {{"spec.jobTemplate.spec.template.spec.initContainers[0].env[0].value",
			`env var "GIT_AUTH" of init container "clone" contains a GitHub token`}},
		"fail-configmap-pem":     {{`data["tls.key"]`, `ConfigMap key "tls.key" contains a private key`}},
		"fail-binarydata-pem":    {{`binaryData["key.pem"]`, `ConfigMap binaryData key "key.pem" contains a private key`}},
		"fail-configmap-jwt":     {{"data.id_token", `ConfigMap key "id_token" contains a JSON Web Token`}},
		"fail-slack-token":       {{tpl + ".env[0].value", `env var "CHAT_BOT" of container "notifier" contains a Slack token`}},
		"fail-slack-webhook":     {{`data["alertmanager.yml"]`, `ConfigMap key "alertmanager.yml" contains a Slack webhook URL`}},
		"fail-google-api-key":    {{"spec.containers[0].env[0].value", `env var "MAPS_CONFIG" of container "maps" contains a Google API key`}},
		"fail-stripe-live-key":   {{`data["payments.properties"]`, `ConfigMap key "payments.properties" contains a Stripe live secret key`}},
		"fail-bearer-in-snippet": {{`metadata.annotations["nginx.ingress.kubernetes.io/configuration-snippet"]`, `annotation "nginx.ingress.kubernetes.io/configuration-snippet" contains a bearer token`}},
		"fail-basic-auth-header": {{`data["default.conf"]`, `ConfigMap key "default.conf" contains HTTP basic-auth credentials`}},
		"fail-url-password":      {{"spec.containers[0].env[0].value", `env var "DATABASE_URL" of container "app" contains a URL with an embedded password`}},
		"fail-two-formats":       {{"data.git-credentials", `ConfigMap key "git-credentials" contains a GitHub token and a URL with an embedded password`}},
		"fail-ephemeral-container": {{"spec.ephemeralContainers[0].env[0].value",
			`env var "SESSION" of ephemeral container "debugger" contains a JSON Web Token`}},
		"fail-embedded-properties": {{`data["application.properties"]`,
			`ConfigMap key "application.properties" sets "spring.datasource.password" to a value that looks like a password`}},
		"fail-java-opts": {{tpl + ".env[0].value",
			`env var "JAVA_OPTS" of container "kafka" sets "javax.net.ssl.keyStorePassword" to a value that looks like a password`}},
		"fail-embedded-json": {{`data["config.json"]`, `ConfigMap key "config.json" sets "client_secret" to a value that looks like a secret`}},
		"fail-container-args": {
			{tpl + ".args[1]", `args of container "api" sets "db-password" to a value that looks like a password`},
			{tpl + ".args[3]", `args of container "api" sets "api-token" to a value that looks like a token`},
			{"spec.template.spec.containers[1].args[0]", `args of container "cache" sets "requirepass" to a value that looks like a password`},
		},
		"fail-container-command": {
			{"spec.initContainers[0].command[4]", `command of init container "schema" sets "mysql -p" to a value that looks like a password`},
			{"spec.containers[0].command[2]", `command of container "probe" sets "curl -u" to a value that looks like a password`},
			{"spec.containers[0].args[0]", `args of container "probe" contains a URL with an embedded password`},
		},
	}
	for name, want := range cases {
		assertFailures(t, outs, name, want...)
	}
	for name, o := range outs {
		if len(o.Failures) > 0 && cases[name] == nil {
			t.Errorf("%s fails without a stated expectation: %v", name, o.Failures)
		}
	}

	known := append([]string(nil), literalSecrets...)
	for _, v := range vals {
		known = append(known, v)
	}
	assertNoLeak(t, outs, known)
}
