package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"google.golang.org/protobuf/encoding/protowire"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
)

// apiClient lists built-in kinds with plain HTTP requests, authenticated by client-go's rest
// transport, and decodes each page straight into the k8s.io/api list type (protobuf, or JSON
// when the server only offers that).
//
// Why not client-go's typed clientset: it drags in every API group's client, the discovery
// client and the global scheme, whose registration runs at every start of the binary — about
// 17 MB of executable and 9 MB of resident memory for every command, scans of files included,
// for the two dozen LIST calls a cluster scan makes. The list types decode themselves (their
// generated Unmarshal methods), so no scheme is needed.
type apiClient struct {
	http *http.Client
	base string
}

// protobufMagic opens every protobuf response of the API server; a runtime.Unknown envelope
// follows, whose Raw field holds the list.
var protobufMagic = []byte("k8s\x00")

const acceptListTypes = "application/vnd.kubernetes.protobuf, application/json"

func newAPIClient(cfg *rest.Config) (*apiClient, error) {
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, err
	}
	base := strings.TrimSuffix(cfg.Host, "/")
	if !strings.Contains(base, "://") {
		base = "https://" + base
	}
	return &apiClient{http: hc, base: base}, nil
}

// decodeList decodes one page of a list (protobuf when proto is set, else JSON), hands each item
// to each and returns the continue token.
type decodeList func(data []byte, proto bool, each func(runtime.Object)) (string, error)

// listOf builds the decodeList of one list type from the function returning its items.
func listOf[T any, PT interface {
	*T
	runtime.Object
}, L any, PL interface {
	*L
	Unmarshal([]byte) error
	GetContinue() string
}](items func(PL) []T) decodeList {
	return func(data []byte, proto bool, each func(runtime.Object)) (string, error) {
		l := PL(new(L))
		var err error
		if proto {
			err = l.Unmarshal(data)
		} else {
			err = json.Unmarshal(data, l)
		}
		if err != nil {
			return "", err
		}
		its := items(l)
		for i := range its {
			each(PT(&its[i]))
		}
		return l.GetContinue(), nil
	}
}

// listPath is the URL path of a kind's collection, in one namespace when ns is set.
func listPath(k Kind, ns string) string {
	p := "/apis/" + k.APIVersion
	if !strings.Contains(k.APIVersion, "/") {
		p = "/api/" + k.APIVersion
	}
	if k.Namespaced && ns != "" {
		p += "/namespaces/" + url.PathEscape(ns)
	}
	return p + "/" + k.Resource
}

// listPage fetches one page of k. limit 0 asks for everything at once.
func (c *apiClient) listPage(ctx context.Context, k Kind, ns, fieldSelector, cont string, limit int64, each func(runtime.Object)) (string, error) {
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", strconv.FormatInt(limit, 10))
	}
	if cont != "" {
		q.Set("continue", cont)
	}
	if fieldSelector != "" {
		q.Set("fieldSelector", fieldSelector)
	}
	buf := bufPool.Get().(*[]byte)
	defer bufPool.Put(buf)
	body, proto, err := c.get(ctx, listPath(k, ns)+"?"+q.Encode(), k, buf)
	if err != nil {
		return "", err
	}
	next, err := k.decode(body, proto, each)
	if err != nil {
		return "", fmt.Errorf("decoding %s: %w", k.Resource, err)
	}
	return next, nil
}

// bufPool holds response buffers for reuse: the decoded objects copy what they keep (the
// generated Unmarshal methods copy strings and bytes), so a page's buffer is free again once it
// is decoded, and a scan reads its pages into a handful of buffers instead of one fresh
// (and repeatedly regrown) buffer per page.
var bufPool = sync.Pool{New: func() any { return new([]byte) }}

// get performs a GET and returns the body, read into *buf (which it may grow) and unwrapped from
// the protobuf envelope when the server sent protobuf; the body is only valid until *buf is
// reused. A non-2xx answer becomes the server's Status as an apierrors error.
func (c *apiClient) get(ctx context.Context, path string, k Kind, buf *[]byte) ([]byte, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return nil, false, err
	}
	req.Header.Set("Accept", acceptListTypes)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, false, err
	}
	defer resp.Body.Close()
	body, err := readBody(resp, (*buf)[:0])
	*buf = body
	if err != nil {
		return nil, false, err
	}
	proto := strings.HasPrefix(resp.Header.Get("Content-Type"), "application/vnd.kubernetes.protobuf")
	if proto {
		if !bytes.HasPrefix(body, protobufMagic) {
			return nil, false, fmt.Errorf("GET %s: protobuf answer without the envelope", path)
		}
		if body, err = unknownRaw(body[len(protobufMagic):]); err != nil {
			return nil, false, fmt.Errorf("GET %s: %w", path, err)
		}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return body, proto, nil
	}
	return nil, false, statusError(resp.StatusCode, body, proto, k)
}

// readBody reads the whole body into buf, sized from Content-Length when the server sent one.
func readBody(resp *http.Response, buf []byte) ([]byte, error) {
	if n := resp.ContentLength; n > 0 && int64(cap(buf)) < n {
		buf = make([]byte, 0, n)
	}
	for {
		if len(buf) == cap(buf) {
			// Double: append's gentler growth for large slices copied a compressed page's
			// body (no Content-Length) many times over while it arrived.
			grown := make([]byte, len(buf), max(2*cap(buf), 64<<10))
			copy(grown, buf)
			buf = grown
		}
		n, err := resp.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// unknownRaw returns the Raw field of a runtime.Unknown envelope (field 2) without copying it,
// which is what runtime.Unknown.Unmarshal would copy into a fresh slice for every page.
func unknownRaw(b []byte) ([]byte, error) {
	var raw []byte
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, protowire.ParseError(n)
		}
		b = b[n:]
		if num == 2 && typ == protowire.BytesType {
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return nil, protowire.ParseError(n)
			}
			raw, b = v, b[n:]
			continue
		}
		if num == 3 && typ == protowire.BytesType {
			// contentEncoding: the API server never compresses the inner object.
			if v, n := protowire.ConsumeBytes(b); n >= 0 && len(v) > 0 {
				return nil, fmt.Errorf("unsupported content encoding %q", v)
			}
		}
		n = protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			return nil, protowire.ParseError(n)
		}
		b = b[n:]
	}
	return raw, nil
}

// statusError turns an error answer into the apierrors error client-go would have returned, so
// the checks on Forbidden, NotFound and timeouts work the same.
func statusError(code int, body []byte, proto bool, k Kind) error {
	var st metav1.Status
	var err error
	if proto {
		err = st.Unmarshal(body)
	} else {
		err = json.Unmarshal(body, &st)
	}
	if err == nil && st.Status == metav1.StatusFailure {
		if st.Code == 0 {
			st.Code = int32(code)
		}
		return &apierrors.StatusError{ErrStatus: st}
	}
	gr := schema.GroupResource{Group: groupOf(k.APIVersion), Resource: k.Resource}
	return apierrors.NewGenericServerResponse(code, "list", gr, "", strings.TrimSpace(string(body)), 0, false)
}

func groupOf(apiVersion string) string {
	if i := strings.IndexByte(apiVersion, '/'); i >= 0 {
		return apiVersion[:i]
	}
	return ""
}

// serverVersion is what GET /version answers.
type serverVersion struct {
	GitVersion string `json:"gitVersion"`
	Major      string `json:"major"`
	Minor      string `json:"minor"`
	Platform   string `json:"platform"`
	BuildDate  string `json:"buildDate"`
}

func (c *apiClient) version(ctx context.Context) (*serverVersion, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/version", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, statusError(resp.StatusCode, body, false, Kind{Resource: "version"})
	}
	var v serverVersion
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, fmt.Errorf("GET /version: %w", err)
	}
	return &v, nil
}
