package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubeharden/kubeharden/pkg/inventory"
)

var secrets = Kind{Kind: "Secret", APIVersion: "v1", Resource: "secrets", Namespaced: true}

func TestDescribe(t *testing.T) {
	gr := schema.GroupResource{Resource: "secrets"}
	cases := []struct {
		err        error
		want       string
		inputError bool
	}{
		{apierrors.NewForbidden(gr, "", errors.New(`User "viewer" cannot list resource "secrets"`)), "forbidden: the credentials may not list secrets", false},
		{apierrors.NewNotFound(gr, ""), "not served", false},
		{apierrors.NewUnauthorized("token expired"), "unauthorized", true},
		{context.DeadlineExceeded, "timed out", true},
		{&gaveUpError{cause: errors.New("EOF")}, "stopped answering", true},
		{apierrors.NewInternalError(errors.New("etcd down")), "etcd down", true},
	}
	for _, c := range cases {
		got, inputErr := describe(secrets, c.err)
		if !strings.Contains(got, c.want) || inputErr != c.inputError {
			t.Errorf("describe(%v) = %q, %v; want %q, %v", c.err, got, inputErr, c.want, c.inputError)
		}
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestServerGone(t *testing.T) {
	gr := schema.GroupResource{Resource: "pods"}
	for _, err := range []error{context.DeadlineExceeded, &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED},
		fmt.Errorf("get: %w", timeoutErr{}), apierrors.NewTimeoutError("slow", 1), errors.New("http2: client connection lost")} {
		if !serverGone(err) {
			t.Errorf("serverGone(%v) = false", err)
		}
	}
	for _, err := range []error{nil, apierrors.NewForbidden(gr, "", errors.New("no")), apierrors.NewNotFound(gr, ""), apierrors.NewBadRequest("bad")} {
		if serverGone(err) {
			t.Errorf("serverGone(%v) = true", err)
		}
	}
}

func TestDropControlled(t *testing.T) {
	obj := func(kind, name string, uid types.UID, owner *metav1.OwnerReference, typed any, meta *metav1.ObjectMeta) *inventory.Object {
		meta.Name, meta.UID = name, uid
		if owner != nil {
			meta.OwnerReferences = []metav1.OwnerReference{*owner}
		}
		return &inventory.Object{Kind: kind, Name: name, Typed: typed, Meta: meta}
	}
	ctl := func(kind string, uid types.UID) *metav1.OwnerReference {
		return &metav1.OwnerReference{Kind: kind, Name: "x", UID: uid, Controller: new(bool(true))}
	}
	d, rs, p1, p2, p3, job := &appsv1.Deployment{}, &appsv1.ReplicaSet{}, &corev1.Pod{}, &corev1.Pod{}, &corev1.Pod{}, &corev1.Pod{}
	objs := []*inventory.Object{
		obj("Deployment", "web", "d1", nil, d, &d.ObjectMeta),
		obj("ReplicaSet", "web-1", "rs1", ctl("Deployment", "d1"), rs, &rs.ObjectMeta),
		obj("Pod", "web-1-a", "p1", ctl("ReplicaSet", "rs1"), p1, &p1.ObjectMeta),
		obj("Pod", "bare", "p2", nil, p2, &p2.ObjectMeta),
		obj("Pod", "orphan", "p3", ctl("ReplicaSet", "gone"), p3, &p3.ObjectMeta),
		obj("Pod", "mirror", "p4", ctl("Node", "n1"), job, &job.ObjectMeta),
	}
	var names []string
	for _, o := range dropControlled(objs) {
		names = append(names, o.Name)
	}
	if got := strings.Join(names, " "); got != "web bare orphan mirror" {
		t.Errorf("kept %q", got)
	}
}

func TestKindsMatchTheInventory(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range Kinds() {
		if seen[k.Kind] {
			t.Errorf("%s listed twice", k.Kind)
		}
		seen[k.Kind] = true
		if _, _, ok := inventory.NewTyped(k.APIVersion, k.Kind); !ok {
			t.Errorf("%s %s is not a kind the inventory decodes", k.APIVersion, k.Kind)
		}
		if k.Namespaced != inventory.IsNamespaced(k.Kind) {
			t.Errorf("%s: namespaced %v, inventory says %v", k.Kind, k.Namespaced, inventory.IsNamespaced(k.Kind))
		}
	}
	for _, k := range Kinds() {
		if k.Kind == "Secret" && k.FieldSelector != "type=kubernetes.io/service-account-token" {
			t.Errorf("Secrets are listed with selector %q, not only token Secrets", k.FieldSelector)
		}
	}
}
