package cli

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Credentials written inside configuration files and command lines are reported in every output
// format, at their line, without any part of them.
func TestScanConfigCredentialsNeverPrinted(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 35))
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
	fresh := func() string {
		for {
			b := make([]byte, 16)
			for i := range b {
				b[i] = alphabet[r.IntN(len(alphabet))]
			}
			s := string(b)
			if strings.ContainsAny(s, "23456789") && strings.ContainsAny(s, "ABCDEFGHJKLMNPQRSTUVWXYZ") && strings.ContainsAny(s, "abcdefghijkmnopqrstuvwxyz") {
				return s
			}
		}
	}
	v := make([]string, 12)
	for i := range v {
		v[i] = fresh()
	}
	manifest := `apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  config.json: '{"db":{"host":"db","password":"` + v[0] + `"}}'
  server.xml: "<db><user>app</user><password>` + v[1] + `</password></db>"
  DB_URL: "jdbc:postgresql://db/app?user=u&password=` + v[2] + `"
  ConnectionStrings__Default: "Server=db;User Id=sa;Password=` + v[3] + `;"
  redis.conf: "bind 0.0.0.0\nrequirepass ` + v[4] + `\n"
  .pgpass: "db:5432:app:app:` + v[5] + `\n"
  .netrc: "machine git.example.com login ci password ` + v[6] + `\n"
  probe.sh: "curl -sf -u admin:` + v[7] + ` http://search:9200/"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: example/api
        env:
        - name: EXTRA_ARGS
          value: "--db-password ` + v[8] + `"
        command: ["mysql", "-h", "db", "-p` + v[9] + `"]
        args:
        - --api-password=` + v[10] + `
        - --db-password
        - ` + v[11] + `
`
	dir := t.TempDir()
	file := filepath.Join(dir, "app.yaml")
	if err := os.WriteFile(file, []byte(manifest), 0o600); err != nil {
		t.Fatal(err)
	}
	rep, _, stderr := scanJSON(t, "--controls", "NS-35", file)
	if len(rep.Errors) > 0 {
		t.Fatalf("input errors %v (stderr %s)", rep.Errors, stderr)
	}
	tpl := "spec.template.spec.containers[0]"
	for _, want := range []struct {
		name, path string
		line       int
	}{
		{"app-config", `data["config.json"]`, 6},
		{"app-config", `data["server.xml"]`, 7},
		{"app-config", "data.DB_URL", 8},
		{"app-config", "data.ConnectionStrings__Default", 9},
		{"app-config", `data["redis.conf"]`, 10},
		{"app-config", `data[".pgpass"]`, 11},
		{"app-config", `data[".netrc"]`, 12},
		{"app-config", `data["probe.sh"]`, 13},
		{"api", tpl + ".env[0].value", 29},
		{"api", tpl + ".command[3]", 30},
		{"api", tpl + ".args[0]", 32},
		{"api", tpl + ".args[2]", 34},
	} {
		if _, line, _ := rep.finding(t, "NS-35", want.name, want.path); line != want.line {
			t.Errorf("%s %s: line %d, want %d", want.name, want.path, line, want.line)
		}
	}
	for _, format := range []string{"json", "yaml", "table", "sarif", "junit"} {
		var out, errOut bytes.Buffer
		Main([]string{"scan", "-o", format, "--no-config", "--show-passed", file}, Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
		all := out.String() + errOut.String()
		for _, secret := range v {
			for _, form := range []string{secret, base64.StdEncoding.EncodeToString([]byte(secret)), base64.RawURLEncoding.EncodeToString([]byte(secret))} {
				for i := 0; i+8 <= len(form); i++ {
					if strings.Contains(all, form[i:i+8]) {
						t.Errorf("-o %s output contains %q, part of a credential or its base64", format, form[i:i+8])
						break
					}
				}
			}
		}
	}
}
