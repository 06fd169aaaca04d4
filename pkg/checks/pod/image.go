package pod

/*
PS-09: images must not use a mutable tag. PS-34: images must be pinned by digest.

Fields read:

	spec.containers[*].image
	spec.initContainers[*].image
	spec.ephemeralContainers[*].image

PS-09 passes: a well-formed digest (name@sha256:...), whatever the tag says, since the digest is
              what the runtime pulls; or a tag other than "latest".
PS-09 fails:  no digest and no tag, or no digest and the tag "latest".
PS-34 passes: a well-formed digest: @sha256: with 64 hex digits (or sha384/sha512 with 96/128).
PS-34 fails:  no digest, or a malformed one.

A container without an image fails both, at the image's path (on the container's line). The API
server refuses such a Pod, but a workload's pod template may leave the image for a tool to fill
in (kustomize's images, a deploy pipeline), and whatever it puts there is neither in the manifest
nor pinned: skipping the container would let the workload pass both controls unseen.

References are split by checks.ParseImage.
*/

import (
	"strings"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(
		checks.Check{ID: "PS-09", Match: checks.Workloads, Assess: perContainer(assessMutableTag)},
		checks.Check{ID: "PS-34", Match: checks.Workloads, Assess: perContainer(assessDigestPinned)},
	)
}

// validDigest reports whether d is algorithm:hex with the length the algorithm requires.
func validDigest(d string) bool {
	alg, hex, ok := strings.Cut(d, ":")
	if !ok {
		return false
	}
	want := 0
	switch alg {
	case "sha256":
		want = 64
	case "sha384":
		want = 96
	case "sha512":
		want = 128
	}
	if want == 0 || len(hex) != want {
		return false
	}
	for i := 0; i < len(hex); i++ {
		if c := hex[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func assessMutableTag(a *checks.Assessment, _ *inventory.PodTemplate, c ctr) {
	if c.Image == "" {
		a.Fail(c.at("image"), c.msg(" has no image, so no tag or digest says what it runs"))
		return
	}
	r := checks.ParseImage(c.Image)
	if validDigest(r.Digest) {
		return
	}
	switch {
	case r.Tag == "" && r.Digest != "":
		a.Fail(c.at("image"), c.msg(" uses image ", quote(c.Image), " with a malformed digest and no tag"))
	case r.Tag == "":
		a.Fail(c.at("image"), c.msg(" uses image ", quote(c.Image), " with no tag or digest, which means latest"))
	case r.Tag == "latest":
		a.Fail(c.at("image"), c.msg(" uses image ", quote(c.Image), " with the mutable tag latest"))
	}
}

func assessDigestPinned(a *checks.Assessment, _ *inventory.PodTemplate, c ctr) {
	if c.Image == "" {
		a.Fail(c.at("image"), c.msg(" has no image, so it is not pinned by digest"))
		return
	}
	r := checks.ParseImage(c.Image)
	switch {
	case r.Digest == "":
		a.Fail(c.at("image"), c.msg(" uses image ", quote(c.Image), ", which is not pinned by digest"))
	case !validDigest(r.Digest):
		a.Fail(c.at("image"), c.msg(" uses image ", quote(c.Image), " with a malformed digest"))
	}
}
