package controlplane

/*
NS-37: Secrets must be encrypted at rest.

Read: kube-apiserver --encryption-provider-config.
Fails: unset (the API server then stores every Secret in etcd as plain text).

NS-38: the EncryptionConfiguration must actually encrypt Secrets.

Read: the file named by --encryption-provider-config (apiserver.config.k8s.io/v1
      EncryptionConfiguration): resources[].resources and resources[].providers[].
Passes: the first entry that covers secrets ("secrets", "*." or "*.*") lists providers, the
        first of which (the one new writes use) is aescbc, aesgcm, secretbox or kms, and every
        kms provider uses apiVersion v2.
Fails:  no entry covers secrets; identity is first (the others only decrypt old data); a kms
        provider without apiVersion v2 (v1 is deprecated and off by default since 1.29).
Judged on the file; on the API server the control is not assessed when the file cannot be read
(a live cluster, or a file missing on the node).

NS-39: prefer KMS, and protect the file.

Read: the same file's first provider for secrets; the file's mode and owner.
Fails: the first provider is aescbc, aesgcm or secretbox (the key sits in the file next to the
       data it protects, on every control-plane node); the file is readable by group or others
       (more permissive than 0600) or not owned by root.
*/

import (
	"io/fs"

	"github.com/kubeharden/kubeharden/pkg/checks"
	"github.com/kubeharden/kubeharden/pkg/inventory"
)

func init() {
	checks.Register(
		checks.Check{ID: "NS-37", Match: Is(inventory.ComponentAPIServer), Assess: func(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
			requireFlags(a, Component(o, inv), ": Secrets are stored in etcd unencrypted", "encryption-provider-config")
		}},
		checks.Check{ID: "NS-38", Match: Either(Is(inventory.ComponentAPIServer), IsKind(inventory.KindEncryptionConfiguration)), Assess: assessEncryptionConfig},
		checks.Check{ID: "NS-39", Match: Either(IsKind(inventory.KindEncryptionConfiguration), isEncryptionFile), Assess: assessEncryptionKeys},
	)
}

func isEncryptionFile(o *inventory.Object) bool {
	f, ok := o.Typed.(*inventory.NodeFile)
	return ok && f.Role == inventory.RoleEncryptionConfig
}

// secretsEntry returns the index of the first resources[] entry that covers Secrets, or -1.
func secretsEntry(cfg *inventory.EncryptionConfiguration) int {
	for i, r := range cfg.Resources {
		for _, name := range r.Resources {
			switch name {
			case "secrets", "*.", "*.*":
				return i
			}
		}
	}
	return -1
}

func assessEncryptionConfig(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	cfg, ok := o.Typed.(*inventory.EncryptionConfiguration)
	if !ok {
		c := Component(o, inv)
		cfgObj, f, set := configOf(inv, c, "encryption-provider-config", inventory.KindEncryptionConfiguration)
		switch {
		case !set:
			a.Skip() // NS-37 reports the missing flag
		case cfgObj == nil:
			a.NotAssessed(notReadable(o, f))
		default:
			a.Skip() // judged on the file
		}
		return
	}
	i := secretsEntry(cfg)
	if i < 0 {
		a.Fail("resources", "no resources entry covers secrets: Secrets are stored in etcd unencrypted")
		return
	}
	entry := inventory.Index("resources", i)
	provs := cfg.Resources[i].Providers
	if len(provs) == 0 {
		a.Fail(entry, "the entry for secrets lists no providers")
		return
	}
	first := inventory.Index(entry+".providers", 0)
	switch provs[0].Type() {
	case "identity":
		a.Fail(first, "identity is the first provider: new and updated Secrets are written unencrypted (the providers after it are only used to read)")
	case "":
		a.Fail(first, "the first provider for secrets is not one kubeharden knows (aescbc, aesgcm, secretbox, kms, identity)")
	}
	for j, p := range provs {
		if p.KMS != nil && p.KMS.APIVersion != "v2" {
			v := p.KMS.APIVersion
			if v == "" {
				v = "v1 (the default)"
			}
			a.Failf(inventory.Index(entry+".providers", j)+".kms", "KMS provider %q uses apiVersion %s: KMS v1 is deprecated and disabled by default since Kubernetes 1.29; use apiVersion: v2", p.KMS.Name, v)
		}
	}
}

func assessEncryptionKeys(a *checks.Assessment, o *inventory.Object, inv *inventory.Inventory) {
	switch t := o.Typed.(type) {
	case *inventory.EncryptionConfiguration:
		i := secretsEntry(t)
		if i < 0 || len(t.Resources[i].Providers) == 0 {
			a.Skip() // NS-38 reports it
			return
		}
		switch typ := t.Resources[i].Providers[0].Type(); typ {
		case "aescbc", "aesgcm", "secretbox":
			a.Failf(inventory.Index(inventory.Index("resources", i)+".providers", 0),
				"Secrets are encrypted with a %s key stored in this file, next to the data it protects on every control-plane node; the guidance prefers a KMS provider", typ)
		case "identity":
			a.Skip() // NS-38 reports it
		}
	case *inventory.NodeFile:
		switch {
		case t.Error != "":
			a.NotAssessed(t.Path + ": " + t.Error)
		case !t.Exists:
			a.NotAssessed(t.Path + " does not exist on the node")
		default:
			if t.Perm&0o077 != 0 {
				a.Failf("mode", "%s has mode %04o: the encryption keys are readable by %s; use 0600", t.Path, uint32(t.Perm), readers(t.Perm))
			}
			if t.UID != 0 {
				a.Failf("owner", "%s is owned by %s; it should be owned by root", t.Path, t.Owner)
			}
		}
	}
}

// readers names who besides the owner may access a file with mode perm.
func readers(perm fs.FileMode) string {
	switch {
	case perm&0o007 != 0:
		return "every user of the node"
	case perm&0o070 != 0:
		return "the file's group"
	}
	return "users other than its owner"
}
