package secrets

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Typical ConfigMap contents: configuration files full of words such as token, key, auth and
// password that are not credentials, and flat settings.
const (
	benchPrometheus = `global:
  scrape_interval: 15s
  evaluation_interval: 1m
scrape_configs:
- job_name: kubernetes-apiservers
  kubernetes_sd_configs:
  - role: endpoints
  scheme: https
  tls_config:
    ca_file: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt
    key_file: /etc/prometheus/certs/client.key
  bearer_token_file: /var/run/secrets/kubernetes.io/serviceaccount/token
  relabel_configs:
  - source_labels: [__meta_kubernetes_namespace, __meta_kubernetes_service_name, __meta_kubernetes_endpoint_port_name]
    action: keep
    regex: default;kubernetes;https
- job_name: kubernetes-pods
  kubernetes_sd_configs:
  - role: pod
  relabel_configs:
  - source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape]
    action: keep
    regex: true
  - source_labels: [__address__, __meta_kubernetes_pod_annotation_prometheus_io_port]
    action: replace
    regex: ([^:]+)(?::\d+)?;(\d+)
    replacement: $1:$2
    target_label: __address__
`
	benchNginx = `server {
    listen 8080;
    location /api/ {
        proxy_pass http://backend:8080/;
        proxy_set_header Authorization $http_authorization;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        auth_request /auth;
    }
    location = /auth {
        internal;
        proxy_pass http://auth-service/validate;
        proxy_pass_request_body off;
    }
}
`
	benchProperties = `spring.application.name=orders
spring.datasource.url=jdbc:postgresql://orders-db:5432/orders
spring.datasource.username=orders
spring.datasource.password=${DB_PASSWORD}
security.oauth2.resource.token-info-uri=https://auth.internal/oauth/check_token
management.endpoints.web.exposure.include=health,info
`
)

func benchConfigMaps(n int, withSecret func(i int) bool) []*inventory.Object {
	g := newFakeTokens()
	objs := make([]*inventory.Object, 0, n)
	for i := 0; i < n; i++ {
		cm := &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cm-%d", i), Namespace: "bench",
				Annotations: map[string]string{"app.kubernetes.io/managed-by": "helm", "checksum/config": g.from("0123456789abcdef", 64)}},
			Data: map[string]string{
				"prometheus.yml":         benchPrometheus,
				"nginx.conf":             benchNginx,
				"application.properties": benchProperties,
				"LOG_LEVEL":              "info",
				"TOKEN_TTL_SECONDS":      "3600",
				"AUTH_URL":               "https://auth.internal/oauth",
				"DB_PASSWORD_FILE":       "/run/secrets/db/password",
				"FEATURE_FLAGS":          "checkout,search,recommendations",
			},
		}
		if withSecret(i) {
			cm.Data["API_TOKEN"] = g.mixed(base62, 32)
		}
		objs = append(objs, &inventory.Object{APIVersion: "v1", Kind: "ConfigMap", Name: cm.Name, Namespace: "bench", Typed: cm, Meta: &cm.ObjectMeta})
	}
	return objs
}

func BenchmarkCredentialScan(b *testing.B) {
	objs := benchConfigMaps(500, func(i int) bool { return i%50 == 0 })
	var size int64
	for _, o := range objs {
		for k, v := range o.Typed.(*corev1.ConfigMap).Data {
			size += int64(len(k) + len(v))
		}
	}
	c, _ := checks.Lookup("NS-35")
	inv := &inventory.Inventory{Objects: objs}
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	var a checks.Assessment
	failures := 0
	for range b.N {
		failures = 0
		for _, o := range objs {
			a.Reset()
			c.Assess(&a, o, inv)
			failures += len(a.Failures)
		}
	}
	b.StopTimer()
	if failures != 10 {
		b.Fatalf("%d failures, want 10", failures)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(objs)), "ns/object")
}

func BenchmarkCredentialScanEnv(b *testing.B) {
	env := []corev1.EnvVar{
		{Name: "LOG_LEVEL", Value: "info"}, {Name: "PORT", Value: "8080"},
		{Name: "DB_HOST", Value: "orders-db"}, {Name: "DB_PASSWORD", Value: "$(DB_PASSWORD)"},
		{Name: "JAVA_OPTS", Value: "-Xmx512m -XX:+UseG1GC -Djava.security.egd=file:/dev/./urandom"},
		{Name: "OTEL_EXPORTER_OTLP_ENDPOINT", Value: "http://otel-collector:4317"},
	}
	benchmarkPassingDeployment(b, []corev1.Container{{Name: "app", Env: env}, {Name: "sidecar", Env: env[:3]}})
}

// benchmarkPassingDeployment times NS-35 on a Deployment with these containers, which it must
// pass.
func benchmarkPassingDeployment(b *testing.B, containers []corev1.Container) {
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web"}}
	d.Spec.Template.Spec.Containers = containers
	o := &inventory.Object{APIVersion: "apps/v1", Kind: "Deployment", Name: "web", Typed: d, Meta: &d.ObjectMeta}
	c, _ := checks.Lookup("NS-35")
	b.ReportAllocs()
	var a checks.Assessment
	for range b.N {
		a.Reset()
		c.Assess(&a, o, nil)
	}
	if len(a.Failures) != 0 {
		b.Fatal(a.Failures)
	}
}

// A typical command line: flags about credentials whose values are references.
var (
	benchCommand = []string{"/bin/sh", "-c", "mysql -h db -uroot -p\"$MYSQL_ROOT_PASSWORD\" -e 'SELECT 1' && exec /app/server \"$@\""}
	benchArgs    = []string{"--config=/etc/app/config.yaml", "--db-password", "$(DB_PASSWORD)", "--token-file=/var/run/secrets/token",
		"--tls-private-key-file=/certs/tls.key", "--authorization-mode=Node,RBAC", "--v=2"}
)

func BenchmarkCredentialScanArgs(b *testing.B) {
	benchmarkPassingDeployment(b, []corev1.Container{{Name: "app", Command: benchCommand, Args: benchArgs}})
}

// A passing ConfigMap costs no allocation at all; a passing workload costs the one allocation
// of inventory.PodTemplateOf.
func TestPassingObjectsDoNotAllocate(t *testing.T) {
	c, _ := checks.Lookup("NS-35")
	cm := benchConfigMaps(1, func(int) bool { return false })[0]
	var a checks.Assessment
	if n := testing.AllocsPerRun(50, func() { a.Reset(); c.Assess(&a, cm, nil) }); n != 0 {
		t.Errorf("NS-35 allocates %v times on a passing ConfigMap", n)
	}
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web"}}
	d.Spec.Template.Spec.Containers = []corev1.Container{{Name: "app", Env: []corev1.EnvVar{
		{Name: "DB_PASSWORD", Value: "${DB_PASSWORD}"}, {Name: "URL", Value: strings.Repeat("https://x/", 5)}},
		Command: benchCommand, Args: benchArgs}}
	o := &inventory.Object{APIVersion: "apps/v1", Kind: "Deployment", Name: "web", Typed: d, Meta: &d.ObjectMeta}
	for _, id := range []string{"NS-35", "NS-36"} {
		c, _ := checks.Lookup(id)
		if n := testing.AllocsPerRun(50, func() { a.Reset(); c.Assess(&a, o, nil) }); n > 1 {
			t.Errorf("%s allocates %v times on a passing Deployment", id, n)
		}
	}
}
