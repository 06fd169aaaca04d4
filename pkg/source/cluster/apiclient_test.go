package cluster

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
)

// The end-to-end tests exercise the protobuf path against a real API server; this covers the
// JSON fallback, paging and error answers.
func TestAPIClientJSONPagingAndStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/v1/namespaces/shop/pods":
			page := corev1.PodList{Items: []corev1.Pod{{ObjectMeta: metav1.ObjectMeta{Name: "p" + r.URL.Query().Get("continue")}}}}
			if r.URL.Query().Get("continue") == "" {
				page.Continue = "2"
			}
			if r.URL.Query().Get("limit") != "1" || r.URL.Query().Get("fieldSelector") != "x=y" {
				t.Errorf("query = %s", r.URL.RawQuery)
			}
			json.NewEncoder(w).Encode(page)
		case "/apis/rbac.authorization.k8s.io/v1/roles":
			w.WriteHeader(http.StatusForbidden)
			json.NewEncoder(w).Encode(metav1.Status{Status: metav1.StatusFailure, Reason: metav1.StatusReasonForbidden,
				Message: `roles.rbac.authorization.k8s.io is forbidden: User "v" cannot list`, Code: 403})
		default:
			w.WriteHeader(http.StatusBadGateway)
			w.Write([]byte("upstream broke"))
		}
	}))
	defer srv.Close()
	c, err := newAPIClient(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]Kind{}
	for _, k := range Kinds() {
		kinds[k.Kind] = k
	}
	var names []string
	each := func(o runtime.Object) { names = append(names, o.(*corev1.Pod).Name) }
	ctx := context.Background()
	cont, err := c.listPage(ctx, kinds["Pod"], "shop", "x=y", "", 1, each)
	if err != nil || cont != "2" {
		t.Fatalf("first page: %q %v", cont, err)
	}
	if cont, err = c.listPage(ctx, kinds["Pod"], "shop", "x=y", cont, 1, each); err != nil || cont != "" {
		t.Fatalf("second page: %q %v", cont, err)
	}
	if len(names) != 2 || names[0] != "p" || names[1] != "p2" {
		t.Fatalf("pods = %v", names)
	}
	_, err = c.listPage(ctx, kinds["Role"], "", "", "", 10, each)
	if !apierrors.IsForbidden(err) {
		t.Fatalf("403 must be a Forbidden status error, got %v", err)
	}
	_, err = c.listPage(ctx, kinds["Node"], "", "", "", 10, each)
	if se, ok := err.(apierrors.APIStatus); !ok || se.Status().Code != http.StatusBadGateway {
		t.Fatalf("502 = %#v", err)
	}
}

// TestUnknownRaw: the envelope's Raw field is found without runtime.Unknown, whatever the
// other fields hold, and an encoded inner object is refused.
func TestUnknownRaw(t *testing.T) {
	u := runtime.Unknown{TypeMeta: runtime.TypeMeta{APIVersion: "v1", Kind: "PodList"},
		Raw: []byte("\x0a\x02hi inner bytes"), ContentType: "application/vnd.kubernetes.protobuf"}
	data, err := u.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := unknownRaw(data)
	if err != nil || string(raw) != string(u.Raw) {
		t.Fatalf("unknownRaw = %q, %v; want %q", raw, err, u.Raw)
	}
	u.ContentEncoding = "gzip"
	data, _ = u.Marshal()
	if _, err := unknownRaw(data); err == nil {
		t.Error("an encoded inner object was accepted")
	}
	if _, err := unknownRaw(data[:len(data)-3]); err == nil {
		t.Error("a truncated envelope was accepted")
	}
}
