package yamldoc

import "iter"

// Resolve follows an alias to the node it refers to. Other nodes, and nil,
// are returned unchanged.
func (n *Node) Resolve() *Node {
	if n != nil && n.Kind == AliasNode && n.Target() != nil {
		return n.Target()
	}
	return n
}

// Len returns the number of entries of a mapping, the number of items of a
// sequence, and 0 for anything else (aliases are followed).
func (n *Node) Len() int {
	n = n.Resolve()
	if n == nil {
		return 0
	}
	switch n.Kind {
	case MappingNode:
		return len(n.Content) / 2
	case SequenceNode:
		return len(n.Content)
	}
	return 0
}

// Get returns the value for key in a mapping, or nil. Keys are compared by
// their JSON form, so Get("80") finds the key 80. Merge keys ('<<') are
// applied the way AppendJSON and Decode apply them (goyaml.v2's order:
// a later entry, merged or not, wins; among merged mappings the first),
// so Get agrees with the decoded object.
func (n *Node) Get(key string) *Node {
	return n.get(key, 0)
}

func (n *Node) get(key string, depth int) *Node {
	n = n.Resolve()
	if n == nil || n.Kind != MappingNode || depth > 64 {
		return nil
	}
	c := n.Content
	if n.flags&flagHasMerge == 0 {
		for i := 0; i+1 < len(c); i += 2 {
			if keyIs(c[i], key) {
				return c[i+1]
			}
		}
		return nil
	}
	var found *Node
	for i := 0; i+1 < len(c); i += 2 {
		k := c[i]
		if k.flags&flagMerge == 0 {
			if keyIs(k, key) {
				found = c[i+1]
			}
			continue
		}
		v := c[i+1].Resolve()
		if v != nil && v.Kind == SequenceNode {
			for _, it := range v.Content {
				if r := it.get(key, depth+1); r != nil {
					found = r
					break
				}
			}
		} else if r := v.get(key, depth+1); r != nil {
			found = r
		}
	}
	return found
}

func keyIs(k *Node, key string) bool {
	if k.Kind == ScalarNode && k.Tag == StrTag {
		return k.Value == key
	}
	if k.flags&flagMerge != 0 {
		return false
	}
	ks, msg := keyString(k)
	return msg == "" && ks == key
}

// Lookup follows a path of mapping keys: n.Lookup("spec", "template").
func (n *Node) Lookup(keys ...string) *Node {
	for _, k := range keys {
		if n = n.Get(k); n == nil {
			return nil
		}
	}
	return n
}

// Index returns item i of a sequence, or nil.
func (n *Node) Index(i int) *Node {
	n = n.Resolve()
	if n == nil || n.Kind != SequenceNode || i < 0 || i >= len(n.Content) {
		return nil
	}
	return n.Content[i]
}

// IsNull reports whether n is nil or a null scalar (after aliases).
func (n *Node) IsNull() bool {
	n = n.Resolve()
	return n == nil || n.Kind == ScalarNode && n.Tag == NullTag
}

// Text returns the value of a string scalar and "" for anything else.
func (n *Node) Text() string {
	n = n.Resolve()
	if n == nil || n.Kind != ScalarNode || n.Tag != StrTag {
		return ""
	}
	return n.Value
}

// IsMergeKey reports whether n is a merge key ('<<') of its mapping.
func (n *Node) IsMergeKey() bool { return n != nil && n.flags&flagMerge != 0 }

// Entries yields the key (in its JSON form) and value of each entry of a
// mapping, in document order, with merge keys applied as Get applies
// them. Keys that cannot be JSON keys (null, collections) are skipped.
func (n *Node) Entries() iter.Seq2[string, *Node] {
	return func(yield func(string, *Node) bool) {
		n = n.Resolve()
		if n == nil || n.Kind != MappingNode {
			return
		}
		if n.flags&flagHasMerge == 0 {
			c := n.Content
			for i := 0; i+1 < len(c); i += 2 {
				k, msg := keyString(c[i])
				if msg == "" && !yield(k, c[i+1]) {
					return
				}
			}
			return
		}
		var ents []jsonEntry
		m := mergedMap{ents: &ents}
		x := expansion{opts: Options{}.withDefaults()}
		m.collect(&x, n, false)
		for _, e := range ents {
			if !yield(e.key, e.val) {
				return
			}
		}
	}
}
