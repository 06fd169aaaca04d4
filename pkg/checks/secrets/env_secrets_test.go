package secrets

import (
	"testing"

	"github.com/kubeharden/kubeharden/pkg/checks/checktest"
)

func TestEnvSecrets(t *testing.T) {
	outs := checktest.Expect(t, "NS-36", "testdata/env_secrets.yaml")
	assertFailures(t, outs, "fail-secret-key-ref",
		wantFailure{"spec.template.spec.containers[0].env[1]", `env var "DB_PASSWORD" of container "api" is set from key "password" of Secret "db"`})
	assertFailures(t, outs, "fail-env-from-secret",
		wantFailure{"spec.initContainers[0].envFrom[1]", `init container "migrate" loads every key of Secret "db" into its environment (with prefix "DB_")`},
		wantFailure{"spec.containers[0].envFrom[0]", `container "app" loads every key of Secret "api-keys" into its environment`})
	assertFailures(t, outs, "fail-cronjob-secret-env",
		wantFailure{"spec.jobTemplate.spec.template.spec.containers[0].env[0]", `env var "S3_SECRET" of container "backup" is set from key "secret" of Secret "s3"`})
	for name, o := range outs {
		if o.Failures != nil && o.Failures[0].Severity != 0 {
			t.Errorf("%s: severity overridden; NS-36 findings take the control's (low) severity", name)
		}
	}
	assertNoLeak(t, outs, nil)
}
