package yamldoc

import (
	"unsafe"

	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// decodeBoth decodes the first document of data with Decode and with
// sigs.k8s.io/yaml.Unmarshal into fresh values of the type of proto, and
// requires the same result.
func decodeBoth[T any](t *testing.T, data []byte) *T {
	t.Helper()
	docs, errs := Parse(data, Options{})
	if len(errs) > 0 || len(docs) == 0 {
		t.Fatalf("Parse: %v", errs)
	}
	got := new(T)
	if err := Decode(docs[0].Root, got, Options{}); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	want := new(T)
	if err := yaml.Unmarshal(data, want); err != nil {
		t.Fatalf("yaml.Unmarshal: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want)
		t.Fatalf("Decode differs from sigs.k8s.io/yaml.Unmarshal\n got %s\nwant %s", gj, wj)
	}
	return got
}

func TestDecodeDeployment(t *testing.T) {
	d := decodeBoth[appsv1.Deployment](t, readTestdata(t, "deployment.yaml"))
	c := d.Spec.Template.Spec.Containers[0]
	if *d.Spec.Replicas != 3 || c.Ports[0].ContainerPort != 8080 || c.Resources.Requests.Cpu().MilliValue() != 100 ||
		c.Resources.Limits.Memory().Value() != 1<<30 || d.Spec.Strategy.RollingUpdate.MaxSurge.StrVal != "25%" ||
		d.Spec.Strategy.RollingUpdate.MaxUnavailable.IntValue() != 1 || !c.VolumeMounts[1].ReadOnly ||
		c.ReadinessProbe.HTTPGet.Port.StrVal != "http" || c.LivenessProbe.TCPSocket.Port.IntVal != 8080 ||
		*d.Spec.Template.Spec.Volumes[1].ConfigMap.DefaultMode != 0o644 ||
		d.CreationTimestamp.Time.Unix() != time.Date(2024, 5, 1, 10, 20, 30, 0, time.UTC).Unix() ||
		d.Annotations["description"] != "Front end of the shop, served by nginx." {
		t.Errorf("unexpected values: %+v", d)
	}
}

func TestDecodePod(t *testing.T) {
	p := decodeBoth[corev1.Pod](t, readTestdata(t, "pod.yaml"))
	if !p.Spec.HostNetwork || !*p.Spec.Containers[0].SecurityContext.Privileged || p.Labels["tier"] != "backend" ||
		p.Spec.Containers[0].Command[2] != "echo \"starting\"\nwhile true; do sleep 3600; done\n" {
		t.Errorf("unexpected values: %+v", p)
	}
}

func TestDecodeSecret(t *testing.T) {
	s := decodeBoth[corev1.Secret](t, readTestdata(t, "secret.yaml"))
	if string(s.Data["username"]) != "admin" || !strings.HasPrefix(string(s.Data["password"]), "s3cr3t-") || s.StringData["port"] != "5432" {
		t.Errorf("unexpected values: %+v", s)
	}
}

func TestDecodeConfigMap(t *testing.T) {
	c := decodeBoth[corev1.ConfigMap](t, readTestdata(t, "configmap.yaml"))
	if c.Data["feature-flags"] != "on" || c.Data["quoted key"] != "it's fine" || len(c.BinaryData["logo.png"]) != 8 ||
		!strings.Contains(c.Data["nginx.conf"], "listen 8080;\n") {
		t.Errorf("unexpected values: %+v", c)
	}
}

func TestDecodeServices(t *testing.T) {
	data := readTestdata(t, "services.yaml")
	docs, errs := Parse(data, Options{})
	if len(errs) > 0 || len(docs) != 4 {
		t.Fatalf("Parse: %d docs, %v", len(docs), errs)
	}
	var svcs []corev1.Service
	for _, d := range docs[:2] {
		var s corev1.Service
		if err := Decode(d.Root, &s, Options{}); err != nil {
			t.Fatal(err)
		}
		svcs = append(svcs, s)
	}
	if p := svcs[0].Spec.Ports[0].TargetPort; p.Type != intstr.String || p.StrVal != "http" {
		t.Errorf("targetPort http: %+v", p)
	}
	if p := svcs[1].Spec.Ports[0].TargetPort; p.Type != intstr.Int || p.IntVal != 8080 {
		t.Errorf("targetPort 8080: %+v", p)
	}
	var list corev1.List
	if err := Decode(docs[3].Root, &list, Options{}); err != nil {
		t.Fatal(err)
	}
	var ns corev1.Namespace
	if err := json.Unmarshal(list.Items[0].Raw, &ns); err != nil || ns.Name != "shop" {
		t.Errorf("RawExtension item: %s %v", list.Items[0].Raw, err)
	}
	// The documents agree with sigs.k8s.io/yaml one by one.
	for i, part := range strings.Split(string(data), "\n---\n")[:2] {
		want := new(corev1.Service)
		if err := yaml.Unmarshal([]byte(part), want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(&svcs[i], want) {
			t.Errorf("service %d differs", i)
		}
	}
}

func TestDecodeCronJobAndAnchors(t *testing.T) {
	c := decodeBoth[batchv1.CronJob](t, readTestdata(t, "cronjob.yaml"))
	if c.Spec.Schedule != "*/15 * * * *" || c.Spec.JobTemplate.Spec.Template.Spec.Containers[0].Resources.Limits.Cpu().String() != "500m" {
		t.Errorf("unexpected values: %+v", c)
	}
	p := decodeBoth[corev1.Pod](t, readTestdata(t, "anchors.yaml"))
	cs := p.Spec.Containers
	if cs[0].ImagePullPolicy != "Always" || cs[0].Env[0].Value != "a" || cs[1].Name != "two" || cs[1].Image != "fallback" ||
		cs[1].Resources.Limits.Memory().String() != "1Gi" {
		t.Errorf("merged containers: %+v", cs)
	}
}

func TestDecodeUnmarshalerTypes(t *testing.T) {
	type all struct {
		Q    resource.Quantity            `json:"q"`
		QP   *resource.Quantity           `json:"qp"`
		QN   resource.Quantity            `json:"qn"`
		I    intstr.IntOrString           `json:"i"`
		IP   *intstr.IntOrString          `json:"ip"`
		T    metav1.Time                  `json:"t"`
		TP   *metav1.Time                 `json:"tp"`
		Raw  runtime.RawExtension         `json:"raw"`
		RL   corev1.ResourceList          `json:"rl"`
		Dur  metav1.Duration              `json:"dur"`
		M    map[string]resource.Quantity `json:"m"`
		JSON json.RawMessage              `json:"json"`
	}
	in := `q: 1.5
qp: 250m
qn: ~
i: 80
ip: "80"
t: 2024-01-02T03:04:05Z
tp: null
raw: {kind: Foo, spec: {a: [1, yes, ~]}}
rl: {cpu: "2", memory: 512Mi}
dur: 1m30s
m: {a: 1Ki}
json: {b: 2, a: 1}
`
	got := decodeBoth[all](t, []byte(in))
	if got.Q.String() != "1500m" || got.QP.String() != "250m" || got.I.IntVal != 80 || got.IP.StrVal != "80" ||
		got.T.Year() != 2024 || got.TP != nil || string(got.Raw.Raw) != `{"kind":"Foo","spec":{"a":[1,true,null]}}` ||
		got.Dur.Duration != 90*time.Second || string(got.JSON) != `{"a":1,"b":2}` {
		t.Errorf("unexpected values: %+v", got)
	}
}

func TestDecodeGoTypes(t *testing.T) {
	type Embedded struct {
		E1 string `json:"e1"`
		E2 string `json:"e2"`
	}
	type Inner struct{ V int }
	type T struct {
		Embedded `json:",inline"`
		*Inner
		S       string            `json:"s"`
		Skip    string            `json:"-"`
		Dash    string            `json:"-,"`
		Untag   int               // name is the field name, case-sensitive
		Ptr     *int32            `json:"ptr"`
		Bytes   []byte            `json:"bytes"`
		Arr     [2]int            `json:"arr"`
		IntMap  map[int]string    `json:"intMap"`
		Floats  []float32         `json:"floats"`
		U8      uint8             `json:"u8"`
		Nested  map[string][]bool `json:"nested"`
		Quoted  int               `json:"quoted,string"`
		Num     json.Number       `json:"num"`
		private int
	}
	in := `e1: one
e2: two
V: 7
s: str
Skip: no
"-": dash
Untag: 3
ptr: 12
bytes: aGk=
arr: [1]
intMap: {1: a, 0x10: b}
any: {a: [1, 1.5, "x", true, ~, 1e3, 9999999999999999999]}
floats: [1, 2.5, 1e3]
u8: 255
nested: {x: [yes, no]}
quoted: "42"
num: 1_000
unknown: {deep: [1, 2]}
`
	got := decodeBoth[T](t, []byte(in))
	if got.E1 != "one" || got.V != 7 || got.Skip != "" || got.Dash != "dash" || got.Untag != 3 || *got.Ptr != 12 ||
		string(got.Bytes) != "hi" || got.Arr != [2]int{1, 0} || got.IntMap[16] != "b" || got.Floats[2] != 1000 ||
		got.U8 != 255 || !got.Nested["x"][0] || got.Quoted != 42 || got.Num != "1000" {
		t.Errorf("unexpected values: %+v", got)
	}
	// Interfaces get int64 for integers, like sigs.k8s.io/json (which the
	// API machinery uses), not float64.
	var generic any
	if err := Decode(parseOne(t, in), &generic, Options{}); err != nil {
		t.Fatal(err)
	}
	var want any
	j, _ := yaml.YAMLToJSON([]byte(in))
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(j, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(generic, want) {
		t.Errorf("generic decode\n got %#v\nwant %#v", generic, want)
	}
	a := generic.(map[string]any)["any"].(map[string]any)["a"].([]any)
	if _, ok := a[0].(int64); !ok {
		t.Errorf("integer decoded as %T", a[0])
	}
	if _, ok := a[6].(float64); !ok {
		t.Errorf("integer beyond int64 decoded as %T", a[6])
	}
}

// TestDecodeCaseSensitive: field names match exactly, as in
// sigs.k8s.io/json, which the API machinery uses (sigs.k8s.io/yaml.Unmarshal
// goes through encoding/json and would also accept "Name" for "name").
func TestDecodeCaseSensitive(t *testing.T) {
	in := "metadata:\n  Name: upper\n  name: lower\nKind: Upper\n"
	var got corev1.Pod
	if err := Decode(parseOne(t, in), &got, Options{}); err != nil {
		t.Fatal(err)
	}
	var want corev1.Pod
	j, _ := yaml.YAMLToJSON([]byte(in))
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(j, &want); err != nil {
		t.Fatal(err)
	}
	if got.Name != "lower" || got.Kind != "" || !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got.ObjectMeta, want.ObjectMeta)
	}
}

// TestDecodeNull: null leaves scalars and structs alone and clears
// pointers, maps, slices and interfaces, as encoding/json does.
func TestDecodeNull(t *testing.T) {
	type T struct {
		S  string          `json:"s"`
		P  *int            `json:"p"`
		M  map[string]int  `json:"m"`
		L  []int           `json:"l"`
		I  any             `json:"i"`
		St struct{ A int } `json:"st"`
	}
	one := 1
	v := T{S: "keep", P: &one, M: map[string]int{"a": 1}, L: []int{1}, I: 1}
	v.St.A = 5
	if err := Decode(parseOne(t, "s: ~\np: ~\nm: ~\nl: ~\ni: ~\nst: ~\n"), &v, Options{}); err != nil {
		t.Fatal(err)
	}
	if v.S != "keep" || v.P != nil || v.M != nil || v.L != nil || v.I != nil || v.St.A != 5 {
		t.Errorf("after nulls: %+v", v)
	}
	var d appsv1.Deployment
	if err := Decode(nil, &d, Options{}); err != nil {
		t.Errorf("Decode(nil): %v", err)
	}
	if err := Decode(parseOne(t, "a: 1"), d, Options{}); err == nil {
		t.Errorf("Decode into a non-pointer succeeded")
	}
}

func TestDecodeTypeErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		into any
		line int
		path string
		msg  string
	}{
		{"string port", "spec:\n  template:\n    spec:\n      containers:\n      - name: web\n        ports:\n        - containerPort: \"80\"\n",
			&appsv1.Deployment{}, 7, "spec.template.spec.containers[0].ports[0].containerPort", `cannot use string "80" as int32`},
		{"bool env value", "spec:\n  containers:\n  - name: c\n    env:\n    - name: DEBUG\n      value: true\n",
			&corev1.Pod{}, 6, "spec.containers[0].env[0].value", "cannot use bool true as string"},
		{"int label", "metadata:\n  labels:\n    version: 2\n", &corev1.Pod{}, 3, "metadata.labels.version", "cannot use int 2 as string"},
		{"out of range", "spec:\n  replicas: 3000000000\n", &appsv1.Deployment{}, 2, "spec.replicas", "out of range"},
		{"float for int", "spec:\n  replicas: 1.5\n", &appsv1.Deployment{}, 2, "spec.replicas", "cannot use float 1.5 as int32"},
		{"negative uint", "a: -1\n", &struct {
			A uint `json:"a"`
		}{}, 1, "a", "out of range"},
		{"sequence for string", "metadata:\n  name: [a]\n", &corev1.Pod{}, 2, "metadata.name", "cannot use sequence as string"},
		{"mapping for slice", "spec:\n  containers: {name: x}\n", &corev1.Pod{}, 2, "spec.containers", "cannot use mapping as []v1.Container"},
		{"string for struct", "spec: none\n", &corev1.Pod{}, 1, "spec", `cannot use string "none" as v1.PodSpec`},
		{"bad quantity", "spec:\n  containers:\n  - resources:\n      limits:\n        cpu: lots\n", &corev1.Pod{}, 5,
			"spec.containers[0].resources.limits.cpu", `cannot use string "lots" as resource.Quantity`},
		{"bad base64", "data:\n  key: '!!!'\n", &corev1.Secret{}, 2, "data.key", "illegal base64"},
		{"dotted map key path", "metadata:\n  annotations:\n    app.kubernetes.io/name: 1\n", &corev1.Pod{}, 3,
			`metadata.annotations["app.kubernetes.io/name"]`, "cannot use int 1 as string"},
		{"long value capped", "metadata:\n  name: [x]\n  namespace: " + strings.Repeat("a", 100) + "\n  labels: 5\n", &struct {
			Metadata struct {
				Namespace int `json:"namespace"`
			} `json:"metadata"`
		}{}, 3, "metadata.namespace", `cannot use string "` + strings.Repeat("a", 40) + `"... as int`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Decode(parseOne(t, tc.in), tc.into, Options{})
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("Decode(%q) = %v, want a *DecodeError", tc.in, err)
			}
			if de.Line != tc.line || de.Path != tc.path || !strings.Contains(de.Msg, tc.msg) {
				t.Errorf("got line %d path %q msg %q\nwant line %d path %q msg %q", de.Line, de.Path, de.Msg, tc.line, tc.path, tc.msg)
			}
			if !strings.HasPrefix(de.Error(), "line ") || !strings.Contains(de.Error(), tc.path) {
				t.Errorf("Error() = %q", de.Error())
			}
			if len(de.Msg) > 160 {
				t.Errorf("message too long: %q", de.Msg)
			}
		})
	}
	// The API server path (YAMLToJSON, then strict JSON decoding) rejects
	// the same values.
	for _, tc := range tests[:5] {
		j, err := yaml.YAMLToJSON([]byte(tc.in))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(j, reflect.New(reflect.TypeOf(tc.into).Elem()).Interface()); err == nil {
			t.Errorf("%s: encoding/json accepts %s", tc.name, j)
		}
	}
}

// TestDecodeContinuesAfterError: like encoding/json, the rest of the
// object is still decoded.
func TestDecodeContinuesAfterError(t *testing.T) {
	var p corev1.Pod
	err := Decode(parseOne(t, "metadata:\n  name: web\nspec:\n  containers:\n  - name: a\n    ports: [{containerPort: x}]\n  - name: b\n"), &p, Options{})
	if err == nil || p.Name != "web" || len(p.Spec.Containers) != 2 || p.Spec.Containers[1].Name != "b" {
		t.Errorf("err %v, pod %+v", err, p)
	}
}

// TestConcurrent exercises the shared plan cache and parser pool from
// several goroutines (run with -race).
func TestConcurrent(t *testing.T) {
	data := readTestdata(t, "deployment.yaml")
	type fresh struct {
		A []map[string]*appsv1.Deployment `json:"a"`
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				docs, perrs := Parse(data, Options{})
				if len(perrs) > 0 {
					errs <- perrs[0]
					return
				}
				var d appsv1.Deployment
				if err := Decode(docs[0].Root, &d, Options{}); err != nil {
					errs <- err
					return
				}
				var f fresh
				small, _ := ParseString("a: [{x: {kind: K}}]", Options{})
				if err := Decode(small[0].Root, &f, Options{}); err != nil || f.A[0]["x"].Kind != "K" {
					errs <- fmt.Errorf("fresh type: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// With a StringArena, decoded strings must not point into the parsed input, so that dropping
// the input frees it.
func TestDecodeCopiesStringsIntoArena(t *testing.T) {
	src := []byte("metadata:\n  name: web\n  labels:\n    app: shop\nspec:\n  containers:\n  - image: nginx:1.27\n")
	docs, errs := Parse(src, Options{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var pod corev1.Pod
	if err := Decode(docs[0].Root, &pod, Options{Strings: &StringArena{}}); err != nil {
		t.Fatal(err)
	}
	inside := func(s string) bool {
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		start := uintptr(unsafe.Pointer(&src[0]))
		return p >= start && p < start+uintptr(len(src))
	}
	for _, s := range []string{pod.Name, pod.Labels["app"], pod.Spec.Containers[0].Image} {
		if inside(s) {
			t.Errorf("%q points into the input", s)
		}
	}
	for k := range pod.Labels {
		if inside(k) {
			t.Errorf("label key %q points into the input", k)
		}
	}
	if pod.Name != "web" || pod.Labels["app"] != "shop" || pod.Spec.Containers[0].Image != "nginx:1.27" {
		t.Fatalf("decoded %+v", pod)
	}
}

// lazyNode reaches itself through a pointer, a slice and a map: field plans are built on first
// use, so such types must decode whatever field is met first, from many goroutines at once.
type lazyNode struct {
	Name     string               `json:"name"`
	Next     *lazyNode            `json:"next,omitempty"`
	Children []lazyNode           `json:"children,omitempty"`
	ByName   map[string]*lazyNode `json:"byName,omitempty"`
}

func TestDecodeSelfReferentialTypeConcurrently(t *testing.T) {
	docs := []string{
		"name: a\nnext: {name: b, next: {name: c}}\n",
		"name: a\nchildren: [{name: b, byName: {x: {name: c}}}]\n",
		"name: a\nbyName: {x: {name: b, children: [{name: c, next: {name: d}}]}}\n",
	}
	var wg sync.WaitGroup
	errs := make(chan error, 3*16)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src := docs[g%len(docs)]
			docs, perrs := ParseString(src, Options{})
			if len(perrs) > 0 {
				errs <- perrs[0]
				return
			}
			var got, want lazyNode
			if err := Decode(docs[0].Root, &got, Options{}); err != nil {
				errs <- err
				return
			}
			if err := yaml.Unmarshal([]byte(src), &want); err != nil {
				errs <- err
				return
			}
			if !reflect.DeepEqual(got, want) {
				errs <- fmt.Errorf("%q: got %+v, want %+v", src, got, want)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
