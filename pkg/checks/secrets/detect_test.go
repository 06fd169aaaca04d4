package secrets

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/kubeharden/kubeharden/pkg/checks"
)

// scanCase is one field for scanField: its name, its value and what must be reported ("" for
// nothing).
type scanCase struct {
	name, value, want string
}

// runScanCases checks each case's verdict and, for every detector, that the message built from
// the finding does not leak the value.
func runScanCases(t *testing.T, cases []scanCase) {
	t.Helper()
	for _, c := range cases {
		f := scanField(c.name, c.value)
		got := ""
		if f.found() {
			got = f.describe()
		}
		if got != c.want {
			t.Errorf("scanField(%q, %.60q) = %q, want %q", c.name, c.value, got, c.want)
		}
		if got != "" {
			msg := "field " + quote(c.name) + " " + got
			secrets := []string{c.value}
			if f.setting != "" {
				// The setting name is reported by design; the rest of the file is the secret.
				secrets = strings.Split(c.value, f.setting)
			}
			for _, l := range leaks(secrets, []checks.Failure{{Message: msg}}) {
				t.Errorf("%s: %s", c.name, l)
			}
		}
	}
}

func TestFormats(t *testing.T) {
	g := newFakeTokens()
	pem := func(label string) string { return g.pem(label) }
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	ghp := "ghp_" + g.mixed(base62, 36)
	jwt := g.jwt()
	runScanCases(t, []scanCase{
		// AWS access key IDs: AKIA/ASIA + 16, standing alone.
		{"x", "AKIAIOSFODNN7EXAMPLE", "contains an AWS access key ID"},
		{"x", "id=ASIA" + g.from(upperNum, 16) + ";", "contains an AWS access key ID"},
		{"x", "AKIAIOSFODNN7EXAMPL", ""},
		{"x", "AKIAIOSFODNN7EXAMPLE1", ""},
		{"x", "XAKIAIOSFODNN7EXAMPLE", ""},
		{"x", "AIDA" + g.from(upperNum, 16), ""}, // a user ID, not a key

		// PEM private keys, with key material.
		{"x", pem("RSA PRIVATE KEY"), "contains a private key"},
		{"x", pem("PRIVATE KEY"), "contains a private key"},
		{"x", pem("EC PRIVATE KEY"), "contains a private key"},
		{"x", pem("OPENSSH PRIVATE KEY"), "contains a private key"},
		{"x", pem("ENCRYPTED PRIVATE KEY"), "contains a private key"},
		{"x", pem("PGP PRIVATE KEY BLOCK"), "contains a private key"},
		{"x", strings.ReplaceAll(pem("PRIVATE KEY"), "\n", `\n`), "contains a private key"}, // JSON-escaped
		{"x", strings.Replace(pem("RSA PRIVATE KEY"), "-----\n", "-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0A1B2C3D\n\n", 1), "contains a private key"},
		{"x", pem("PUBLIC KEY"), ""},
		{"x", pem("CERTIFICATE"), ""},
		{"x", `grep -q "-----BEGIN RSA PRIVATE KEY-----" key.pem`, ""},
		{"x", "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----", ""},

		// JSON Web Tokens.
		{"x", jwt, "contains a JSON Web Token"},
		{"x", "Authorization: Bearer " + jwt, "contains a JSON Web Token"},
		{"x", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJmaXh0dXJlIn0.", "contains a JSON Web Token"}, // alg none
		{"x", "eyJhbGciOiJIUzI1NiJ9", ""},
		{"x", "eyJhbGciOiJIUzI1NiJ9.notjson.sig", ""},

		// GitHub.
		{"x", ghp, "contains a GitHub token"},
		{"x", "gho_" + g.mixed(base62, 36), "contains a GitHub token"},
		{"x", "ghu_" + g.mixed(base62, 36), "contains a GitHub token"},
		{"x", "ghs_" + g.mixed(base62, 36), "contains a GitHub token"},
		{"x", "ghr_" + g.mixed(base62, 36), "contains a GitHub token"},
		{"x", "github_pat_" + g.mixed(base62, 22) + "_" + g.mixed(base62, 59), "contains a GitHub token"},
		{"x", "ghp_" + g.mixed(base62, 35), ""},
		{"x", "xghp_" + g.mixed(base62, 36), ""},
		{"x", "ghx_" + g.mixed(base62, 36), ""},

		// Slack.
		{"x", "xoxb-" + g.from(digits, 12) + "-" + g.from(digits, 12) + "-" + g.mixed(base62, 24), "contains a Slack token"},
		{"x", "xoxp-" + g.from(digits, 11) + "-" + g.from(digits, 11) + "-" + g.from(digits, 12) + "-" + g.from("abcdef0123456789", 32), "contains a Slack token"},
		{"x", "xoxb-your-bot-token-goes-here", ""},
		{"x", "xoxz-" + g.from(digits, 12) + "-" + g.from(digits, 12) + "-" + g.mixed(base62, 24), ""},
		{"x", "https://hooks.slack.com/services/T" + g.from(upperNum, 10) + "/B" + g.from(upperNum, 10) + "/" + g.mixed(base62, 24), "contains a Slack webhook URL"},
		{"x", "https://hooks.slack.com/services/XXXXXXXXX/YYYYYYYYY/ZZZZZZZZZZZZZZZZZZZZZZZZ", ""},

		// Google API keys: AIza + exactly 35.
		{"x", "AIza" + g.mixed(base64url, 35), "contains a Google API key"},
		{"x", "AIza" + g.mixed(base62, 34), ""},
		{"x", "AIza" + g.mixed(base62, 36), ""},

		// Stripe: live secret and restricted keys, not test keys.
		{"x", "sk_live_" + g.mixed(base62, 24), "contains a Stripe live secret key"},
		{"x", "rk_live_" + g.mixed(base62, 30), "contains a Stripe live secret key"},
		{"x", "sk_test_" + g.mixed(base62, 24), ""},
		{"x", "pk_live_" + g.mixed(base62, 24), ""}, // publishable
		{"x", "ask_live_" + g.mixed(base62, 24), ""},

		// Bearer tokens: literal and random-looking.
		{"x", "Authorization: Bearer " + g.mixed(base64url, 40), "contains a bearer token"},
		{"x", "Authorization: Bearer ${TOKEN}", ""},
		{"x", "Authorization: Bearer <token>", ""},
		{"x", "Authorization: Bearer $(cat /var/run/secrets/token)", ""},
		{"x", "Authorization: Bearer YOUR_TOKEN_HERE_XXXXXXXX", ""},
		{"x", "The API expects a Bearer token in every request.", ""},

		// HTTP Basic: base64 of user:password.
		{"x", "Authorization: Basic " + b64("deploy:"+g.mixed(base62, 12)), "contains HTTP basic-auth credentials"},
		{"x", `WWW-Authenticate: Basic realm="registry"`, ""},
		{"x", "Authorization: Basic " + b64("nocolonhere12"), ""},
		{"x", "Authorization: Basic " + b64("user:"), ""},
		{"x", "Authorization: Basic " + b64("user:${PASSWORD}"), ""},

		// URLs with an inline password.
		{"x", "postgres://app:" + g.mixed(base62, 16) + "@db:5432/app", "contains a URL with an embedded password"},
		{"x", "redis://:" + g.mixed(base62, 16) + "@redis:6379/0", "contains a URL with an embedded password"},
		{"x", "amqp://guest:guest@rabbitmq:5672/", "contains a URL with an embedded password"},
		{"x", "https://deploy@git.example.com/repo.git", ""},
		{"x", "postgres://app:${DB_PASSWORD}@db/app", ""},
		{"x", "postgres://app:<password>@db/app", ""},
		{"x", "https://example.com/path?next=a:b@c", ""},
		{"x", "git@github.com:org/repo.git", ""},
		{"x", "mysql://user:****@db/app", ""},

		// Two formats in one value are both named.
		{"x", "https://x-access-token:" + ghp + "@github.com/org/repo", "contains a GitHub token and a URL with an embedded password"},
	})
}

func TestKeyBased(t *testing.T) {
	g := newFakeTokens()
	r32 := g.mixed(base62, 32)
	hex40 := g.from("0123456789abcdef", 40)
	runScanCases(t, []scanCase{
		// Passwords: any real value.
		{"DB_PASSWORD", "Tr0ub4dor-and-3", "holds a value that looks like a password"},
		{"dbPassword", "hunter2hunter", "holds a value that looks like a password"},
		{"db.password", "s3cret", "holds a value that looks like a password"},
		{"DB_PASS", "letmein!", "holds a value that looks like a password"},
		{"rootpasswd", "mysql", "holds a value that looks like a password"},
		{"PGPASSWORD", "postgres", "holds a value that looks like a password"},
		{"REDIS_PASSWORD_PROD", "r3d1s", "holds a value that looks like a password"},
		{"LUKS_PASSPHRASE", "correct horse battery staple", "holds a value that looks like a password"},
		{"POSTGRES_PASSWORD", "password", "holds a value that looks like a password"},
		// Secret keys are passwords.
		{"MINIO_SECRET_KEY", "minio123", "holds a value that looks like a secret key"},
		{"secretKey", "abc12345", "holds a value that looks like a secret key"},
		{"AWS_SECRET_ACCESS_KEY", g.mixed(base62+"+/", 40), "holds a value that looks like an AWS secret access key"},
		{"AWS_SECRET_ACCESS_KEY", "secret", "holds a value that looks like a secret key"},
		// Weaker names need a random-looking value.
		{"GITHUB_TOKEN", r32, "holds a value that looks like a token"},
		{"accessToken", hex40, "holds a value that looks like a token"},
		{"CLIENT_SECRET", r32, "holds a value that looks like a secret"},
		{"x-api-key", r32, "holds a value that looks like an API key"},
		{"APIKey", r32, "holds a value that looks like an API key"},
		{"apikey", r32, "holds a value that looks like an API key"},
		{"SENDGRID_API_KEY_VALUE", r32, "holds a value that looks like an API key"},
		{"ACCESS_KEY", "8312341g-5678-abcd-4a2b2c-33bcsd655", "holds a value that looks like an access key"},
		{"signingKey", r32, "holds a value that looks like a signing key"},
		{"AUTH", r32, "holds a value that looks like a credential"},
		{"GITHUB_TOKEN", "my-ci-token", ""},
		{"ETCD_INITIAL_CLUSTER_TOKEN", "etcd-cluster-prod", ""},
		{"CLIENT_SECRET", "basic-auth", ""},
		{"MINIO_ACCESS_KEY", "minio", ""},
		// Names about a credential rather than of one.
		{"PASSWORD_FILE", "/run/secrets/db", ""},
		{"SECRET_NAME", "db-credentials", ""},
		{"TOKEN_URL", "https://auth.example.com/token", ""},
		{"API_KEY_HEADER", "X-Api-Key", ""},
		{"AWS_ACCESS_KEY_ID", "AKIA-not-a-key-id", ""},
		{"secretKeyRef", "db-password", ""},
		{"PASSWORD_HASH", "$2a$10$" + g.mixed(base62, 53), ""},
		{"MYSQL_ALLOW_EMPTY_PASSWORD", "yes", ""},
		{"MYSQL_RANDOM_ROOT_PASSWORD", "1", ""},
		{"ALLOW_EMPTY_PASSWORD", "allowed", ""},
		{"REQUIRE_PASSWORD", "always", ""},
		{"MIN_PASSWORD_LENGTH", "12", ""},
		{"PUBLIC_KEY", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKx7f1jgGgWNRy3mB2n5x6TT3oNfcO0r deploy", ""},
		{"MAX_TOTAL_TOKENS", "2048", ""},
		{"TOKEN_EXPIRY_SECONDS", "3600", ""},
		{"KEY", r32, ""},
		{"tls.key", "/etc/tls/tls.key", ""},
		// Placeholders and references under strong names.
		{"DB_PASSWORD", "changeme", ""},
		{"DB_PASSWORD", "CHANGE_ME", ""},
		{"DB_PASSWORD", "Ple4seCh4ngeMe2024", ""},
		{"DB_PASSWORD", "<your password>", ""},
		{"DB_PASSWORD", "${DB_PASSWORD}", ""},
		{"DB_PASSWORD", "$(DB_PASSWORD)", ""},
		{"DB_PASSWORD", "{{ .Values.password }}", ""},
		{"DB_PASSWORD", "{DB_PASSWORD}", ""},
		{"DB_PASSWORD", "#{dbPassword}", ""},
		{"DB_PASSWORD", "%(password)s", ""},
		{"DB_PASSWORD", "xxxxxxxxxx", ""},
		{"DB_PASSWORD", "**********", ""},
		{"DB_PASSWORD", "DB_PASSWORD", ""},
		{"DB_PASSWORD", "example", ""},
		{"DB_PASSWORD", "dummy-password", ""},
		{"DB_PASSWORD", "your-db-password", ""},
		{"DB_PASSWORD", "", ""},
		{"DB_PASSWORD", "false", ""},
		{"DB_PASSWORD", "/run/secrets/db-password", ""},
		{"DB_PASSWORD", "vault:secret/data/db#password", ""},
		{"DB_PASSWORD", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db", ""},
		{"DB_PASSWORD", "projects/p/secrets/db/versions/latest", ""},
		{"DB_PASSWORD", "default/db-password", ""},
		{"DB_PASSWORD", "password.txt", ""},
		{"KEYSTORE_PASSWORD", "changeit", ""},
	})
}

func TestSettingsInFiles(t *testing.T) {
	g := newFakeTokens()
	r32 := g.mixed(base62, 32)
	pw := g.mixed(base62+"!#%", 14)
	runScanCases(t, []scanCase{
		{"application.properties", "a=b\nspring.datasource.password=" + pw + "\n", `sets "spring.datasource.password" to a value that looks like a password`},
		{"application.yml", "spring:\n  datasource:\n    password: '" + pw + "'\n", `sets "password" to a value that looks like a password`},
		{"config.json", "{\n  \"apiKey\": \"" + r32 + "\",\n}", `sets "apiKey" to a value that looks like an API key`},
		{"settings.ini", "[auth]\ntoken = " + r32 + "\n", `sets "token" to a value that looks like a token`},
		{"env", "export GITHUB_TOKEN=" + r32 + "\n", `sets "GITHUB_TOKEN" to a value that looks like a token`},
		{"JAVA_OPTS", "-Xmx1g -Dssl.keyStorePassword=" + pw, `sets "ssl.keyStorePassword" to a value that looks like a password`},
		{"ARGS", "--verbose --api-token=" + r32 + " --port=80", `sets "api-token" to a value that looks like a token`},
		{"aws.conf", "[default]\naws_secret_access_key = " + g.mixed(base62+"+/", 40) + "\n", `sets "aws_secret_access_key" to a value that looks like an AWS secret access key`},
		// Inside files, short or dictionary values do not count, nor do code and references.
		{"nsswitch.conf", "passwd: compat\nshadow: compat\n", ""},
		{"ceph.conf", "auth_cluster_required = cephx\nauth_client_required = cephx\n", ""},
		{"application.properties", "spring.datasource.password=admin\n", ""},
		{"model.py", "tokenizer = AutoTokenizer.from_pretrained(m, token=os.environ[\"HF_TOKEN\"])\n", ""},
		{"prometheus.yml", "bearer_token_file: /var/run/secrets/kubernetes.io/serviceaccount/token\n", ""},
		{"values.yaml", "existingSecret: db\nsecretKey: password\npasswordKey: db-password\n", ""},
		{"otel.yaml", "bearertokenauth:\n  token: \"somerandomtoken\"\n", ""},
		{"redis.conf", "requirepass replace-default-auth\n", ""},
		{"app.yaml", "password: ${DB_PASSWORD}\ntoken: '{{ .Values.token }}'\n", ""},
		{"kiali.yaml", "signing_key: CHANGEME00000000\n", ""},
	})
}

func TestClassifyKey(t *testing.T) {
	for name, want := range map[string]keyClass{
		"DB_PASSWORD":                    {noun: "a password", strong: true},
		"AWS_SECRET_ACCESS_KEY":          {noun: "a secret key", strong: true, aws: true},
		"awsSecretAccessKey":             {noun: "a secret key", strong: true, aws: true},
		"client_secret":                  {noun: "a secret"},
		"OAUTH2_PROXY_CLIENT_SECRET":     {noun: "a secret"},
		"GITHUB_TOKEN":                   {noun: "a token"},
		"authToken":                      {noun: "a token"},
		"X-API-Key":                      {noun: "an API key"},
		"private_key":                    {noun: "a private key"},
		"GOOGLE_APPLICATION_CREDENTIALS": {noun: "a credential"},
		"Authorization":                  {noun: "a credential"},
		"AUTH_TYPE":                      {},
		"ACCESS_KEY_ID":                  {},
		"tokens":                         {},
		"secret.reloader.stakater.com":   {},
		"":                               {},
		"___":                            {},
	} {
		if got := classifyKey(name); got != want {
			t.Errorf("classifyKey(%q) = %+v, want %+v", name, got, want)
		}
	}
}

func TestSplitWords(t *testing.T) {
	for in, want := range map[string]string{
		"DB_PASSWORD":        "DB PASSWORD",
		"dbPassword":         "db Password",
		"APIKey":             "API Key",
		"oauth2ClientSecret": "oauth 2 Client Secret",
		"x-api-key.value":    "x api key value",
		"sha256sum":          "sha 256 sum",
		"a/b c":              "a b c",
	} {
		var ws [maxWords]word
		n := splitWords(in, &ws)
		var got []string
		for _, w := range ws[:n] {
			got = append(got, in[w.start:w.end])
		}
		if strings.Join(got, " ") != want {
			t.Errorf("splitWords(%q) = %q, want %q", in, got, want)
		}
	}
	// Long names keep their last words, where the credential word is.
	long := strings.Repeat("a_", 30) + "password"
	if classifyKey(long).noun != "a password" {
		t.Errorf("long name lost its last word")
	}
}

// looksRandom must accept generated credentials of every common alphabet nearly always, and
// reject words, joined words and low-entropy strings.
func TestLooksRandom(t *testing.T) {
	g := newFakeTokens()
	for _, c := range []struct {
		alphabet string
		n        int
	}{{base62, 16}, {base62, 20}, {base62, 32}, {"0123456789abcdef", 32}, {"0123456789abcdef", 64}, {base62 + "+/", 40}, {base64url, 43}} {
		miss := 0
		for i := 0; i < 1000; i++ {
			if !looksRandom(g.from(c.alphabet, c.n)) {
				miss++
			}
		}
		if miss > 10 {
			t.Errorf("%d of 1000 random strings of %d characters from %q not seen as random", miss, c.n, c.alphabet)
		}
	}
	for _, s := range []string{
		"etcd-cluster-token", "kubernetes-dashboard-csrf", "somerandomtoken-abc", "ThisIsNotRandomAtAll",
		"aaaaaaaaaaaaaaa1", "abcabcabcabc1234", "short1A", "has space in it 12345",
		`os.environ["HF_TOKEN"]`, "getToken(ctx, 12345)",
	} {
		if looksRandom(s) {
			t.Errorf("looksRandom(%q) = true", s)
		}
	}
}

func TestPassingValuesDoNotAllocate(t *testing.T) {
	values := []struct{ name, value string }{
		{"LOG_LEVEL", "info"},
		{"DB_PASSWORD", "${DB_PASSWORD}"},
		{"prometheus.yml", "global:\n  scrape_interval: 15s\nscrape_configs:\n- job_name: k8s\n  bearer_token_file: /var/run/secrets/token\n"},
		{"url", "https://example.com/a?b=c"},
		{"text", "Authorization: Bearer ${TOKEN} and AKIA but not a key, eyJ nothing, xoxb-none"},
	}
	for _, v := range values {
		if n := testing.AllocsPerRun(100, func() { scanField(v.name, v.value) }); n != 0 {
			t.Errorf("scanField(%q) allocates %v times", v.name, n)
		}
	}
}

// Settings written inside a line rather than one per line: one-line JSON, XML, URL and JDBC
// query strings, connection strings.
func TestInlineSettings(t *testing.T) {
	g := newFakeTokens()
	pw := g.mixed(base62, 16)
	r32 := g.mixed(base62, 32)
	runScanCases(t, []scanCase{
		{"config.json", `{"db":{"host":"db","password":"` + pw + `"}}`, `sets "password" to a value that looks like a password`},
		{"config.json", `{"auth":{"token":"` + r32 + `","ttl":3600}}`, `sets "token" to a value that looks like a token`},
		{"config.json", `{ "db": { "password" : "` + pw + `" } }`, `sets "password" to a value that looks like a password`},
		{"server.xml", "<db><user>app</user><password>" + pw + "</password></db>", `sets "password" to a value that looks like a password`},
		{"context.xml", `<Resource name="jdbc/app" username="app" password="` + pw + `" url="jdbc:postgresql://db/app"/>`, `sets "password" to a value that looks like a password`},
		{"DB_URL", "jdbc:postgresql://db/app?user=u&password=" + pw, `sets "password" to a value that looks like a password`},
		{"DB_URL", "jdbc:mysql://db:3306/app?useSSL=true&password=" + pw + "&user=u", `sets "password" to a value that looks like a password`},
		{"WEBHOOK", "https://hooks.example.com/notify?channel=ops&token=" + r32, `sets "token" to a value that looks like a token`},
		{"ConnectionStrings__Default", "Server=db;Database=app;User Id=sa;Password=" + pw + ";", `sets "Password" to a value that looks like a password`},
		{"appsettings.json", `{"ConnectionStrings":{"Default":"Server=db;User Id=sa;Password=` + pw + `;"}}`, `sets "Password" to a value that looks like a password`},
		// Placeholders, references and code stay quiet in every syntax.
		{"config.json", `{"db":{"password":"${DB_PASSWORD}"}}`, ""},
		{"config.json", `{"db":{"passwordFile":"/run/secrets/db","password":""}}`, ""},
		{"config.json", `{"auth":{"token":"{{ .Values.token }}"}}`, ""},
		{"server.xml", "<password>${db.password}</password>", ""},
		{"server.xml", "<password>changeme</password>", ""},
		{"DB_URL", "jdbc:postgresql://db/app?user=u&password=${DB_PASSWORD}", ""},
		{"DB_URL", "jdbc:postgresql://db/app?user=u&password=", ""},
		{"conn", "Server=db;User Id=sa;Password={{ .Values.password }};", ""},
		{"conn", "Server=db;Integrated Security=true;", ""},
		{"app.py", `db = connect(host="db", password=os.environ.get("DB_PASSWORD"))`, ""},
		{"app.py", "password = settings.DATABASE_PASSWORD", ""},
		{"app.js", "const pw = process.env.DB_PASSWORD; login({password: config.db.password})", ""},
		{"README.md", "The password must be at least 12 characters long; set it with --password.", ""},
		{"url", "https://example.com/reset?token=&next=/home", ""},
		{"entrypoint.sh", `password="${PASSWORD:-default}"; token=${API_TOKEN:=unset-value}`, ""},
	})
}

// Directives and command lines: space-separated flags and directives, .pgpass and .netrc
// entries, mysql -p and curl -u.
func TestCommandLinesAndDirectives(t *testing.T) {
	g := newFakeTokens()
	pw := g.mixed(base62, 16)
	runScanCases(t, []scanCase{
		{"redis.conf", "bind 0.0.0.0\nrequirepass " + pw + "\nappendonly yes\n", `sets "requirepass" to a value that looks like a password`},
		{"redis.conf", "replicaof redis-0 6379\nmasterauth " + pw + "\n", `sets "masterauth" to a value that looks like a password`},
		{".pgpass", "db:5432:app:app:" + pw + "\n", `sets "password" to a value that looks like a password`},
		{"pgpass", "*:*:*:postgres:" + pw, `sets "password" to a value that looks like a password`},
		{".netrc", "machine git.example.com login ci password " + pw + "\n", `sets "password" to a value that looks like a password`},
		{"netrc", "machine git.example.com\n  login ci\n  password " + pw + "\n", `sets "password" to a value that looks like a password`},
		{"DB_ARGS", "--db-password " + pw, `sets "db-password" to a value that looks like a password`},
		{"EXTRA_ARGS", "--verbose --db-password " + pw + " --port 5432", `sets "db-password" to a value that looks like a password`},
		{"init.sh", "#!/bin/sh\nmysql -h db -uroot -p" + pw + " -e 'SELECT 1'\n", `sets "mysql -p" to a value that looks like a password`},
		{"backup.sh", "mysqldump --single-transaction -u app -p'" + pw + "' app > /backup/app.sql", `sets "mysql -p" to a value that looks like a password`},
		{"probe.sh", "curl -sf -u admin:" + pw + " http://localhost:9200/_cluster/health", `sets "curl -u" to a value that looks like a password`},
		// Not credentials.
		{"redis.conf", "requirepass replace-default-auth\nmasterauth replace-default-auth\n", ""},
		{"redis.conf", "# requirepass foobared\n", ""},
		{"hosts", "db:5432:app:app:" + pw, ""},
		{".pgpass", "db:5432:app:app:*\n", ""},
		{"notes.txt", "machine learning is fun; password " + pw, ""},
		{"DB_ARGS", "--db-password $(DB_PASSWORD)", ""},
		{"DB_ARGS", "--password-file /run/secrets/db --token-ttl 3600", ""},
		{"DB_ARGS", "--auth-mode token --secret-name db-credentials", ""},
		{"init.sh", "mysql -h127.0.0.1 -uroot -p$MYSQL_ROOT_PASSWORD -e'SELECT 1'\nmysqladmin -uroot -p\"${MYSQL_ROOT_PASSWORD}\" ping\n", ""},
		{"init.sh", "mkdir -p /var/lib/mysql-files && ssh -p2222 host && tar -pxf a.tar\n", ""},
		{"init.sh", "mysql -uroot -p < /docker-entrypoint-initdb.d/schema.sql\n", ""},
		{"probe.sh", `curl -sf -u "$ES_USER:$ES_PASSWORD" http://localhost:9200`, ""},
		{"probe.sh", "curl -u admin http://localhost:9200 && curl -u admin:changeme http://x", ""},
	})
}

func TestFlagValuesWithSymbols(t *testing.T) {
	g := newFakeTokens()
	pw := g.mixed(base62, 8) + "&#;" + g.mixed(base62, 8)
	runScanCases(t, []scanCase{
		{"EXTRA_ARGS", "--verbose --db-password=" + pw + " --port=5432", `sets "db-password" to a value that looks like a password`},
		{"DB_ARGS", "--db-password=" + pw, `sets "db-password" to a value that looks like a password`},
	})
}
