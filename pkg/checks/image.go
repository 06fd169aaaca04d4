package checks

import "strings"

// Image is a container image reference split into its parts.
type Image struct {
	Name   string // registry and repository, e.g. localhost:5000/team/app
	Tag    string // "" when absent
	Digest string // what follows '@', "" when absent
}

// ParseImage splits an image reference without a regexp: the digest follows the first '@'; the
// tag follows the last ':' that comes after the last '/', so the port in "localhost:5000/app" is
// not a tag. Checks of images (the pod checks' tags and digests, the versions of add-ons) read
// references this one way.
func ParseImage(s string) Image {
	var r Image
	if i := strings.IndexByte(s, '@'); i >= 0 {
		s, r.Digest = s[:i], s[i+1:]
	}
	slash := strings.LastIndexByte(s, '/')
	if colon := strings.LastIndexByte(s, ':'); colon > slash {
		s, r.Tag = s[:colon], s[colon+1:]
	}
	r.Name = s
	return r
}
