package yamldoc

import "strconv"

// CheckAliasing reports a document whose aliases make up too much of it, by the rule with which
// goyaml.v2 refuses it ("document contains excessive aliasing"), and so sigs.k8s.io/yaml and
// kubectl with it.
//
// Options.MaxAliasNodes bounds one AppendJSON or Decode call, but a caller that decodes a
// document piece by piece (a loader reading each item of a List as an object, items merged
// in with "<<" included) makes many such calls, each within the bound, and a file of a kilobyte
// or two can then become millions of objects. This check looks at the document as a whole, as
// goyaml.v2 decodes it: every node is counted, each time it is reached, aliases and merge keys
// followed, in goyaml.v2's order; once more than 1000 have been counted, and more than 100 of
// them were reached through an alias, the share reached through aliases may not go above 99%
// (falling to 10% between 400,000 and 4,000,000 nodes). The walk stops where the rule is broken,
// so its cost is bounded by what the rule allows, and the error names the line of the alias
// being expanded there. Beyond opts.MaxDepth levels it does not descend (AppendJSON and Decode
// refuse such nesting).
//
// A document without aliases (Document.Aliases is 0) always passes and need not be checked.
func CheckAliasing(root *Node, opts Options) error {
	if root == nil {
		return nil
	}
	c := aliasCount{maxDepth: opts.withDefaults().MaxDepth}
	// goyaml.v2 counts the document node too.
	c.decoded = 1
	if c.node(root) {
		return nil
	}
	at := c.outer
	if at == nil {
		at = c.at
	}
	return &Error{Line: at.Line, Column: at.Column,
		Msg: "document contains excessive aliasing: " + strconv.Itoa(c.aliased) + " of its first " + strconv.Itoa(c.decoded) +
			" nodes are copies made by aliases and merge keys (kubectl refuses it too)"}
}

// The bounds of goyaml.v2's allowedAliasRatio.
const (
	aliasRatioRangeLow  = 400000
	aliasRatioRangeHigh = 4000000
)

func allowedAliasRatio(decoded int) float64 {
	switch {
	case decoded <= aliasRatioRangeLow:
		return 0.99
	case decoded >= aliasRatioRangeHigh:
		return 0.10
	}
	return 0.99 - 0.89*(float64(decoded-aliasRatioRangeLow)/float64(aliasRatioRangeHigh-aliasRatioRangeLow))
}

type aliasCount struct {
	decoded, aliased int
	inAlias          int
	depth, maxDepth  int
	outer            *Node // outermost alias being expanded
	at               *Node // where the rule was broken
}

// node counts n and everything under it as goyaml.v2's decoder does (decoder.unmarshal into an
// interface value), and returns false once the rule is broken.
func (c *aliasCount) node(n *Node) bool {
	c.decoded++
	if c.inAlias > 0 {
		c.aliased++
	}
	if c.aliased > 100 && c.decoded > 1000 && float64(c.aliased)/float64(c.decoded) > allowedAliasRatio(c.decoded) {
		c.at = n
		return false
	}
	switch n.Kind {
	case AliasNode:
		t := n.Target()
		if t == nil {
			return true
		}
		if c.inAlias == 0 {
			c.outer = n
		}
		c.inAlias++
		ok := c.node(t)
		c.inAlias--
		return ok
	case SequenceNode, MappingNode:
		if c.depth >= c.maxDepth {
			return true
		}
		c.depth++
		ok := c.collection(n)
		c.depth--
		return ok
	}
	return true
}

func (c *aliasCount) collection(n *Node) bool {
	ct := n.Content
	if n.Kind == SequenceNode {
		for _, it := range ct {
			if !c.node(it) {
				return false
			}
		}
		return true
	}
	merges := n.flags&flagHasMerge != 0
	for i := 0; i+1 < len(ct); i += 2 {
		if merges && ct[i].flags&flagMerge != 0 {
			// The key itself is not decoded; a merged sequence is applied backwards.
			if v := ct[i+1]; v.Kind == SequenceNode {
				for j := len(v.Content) - 1; j >= 0; j-- {
					if !c.node(v.Content[j]) {
						return false
					}
				}
			} else if !c.node(v) {
				return false
			}
			continue
		}
		if !c.node(ct[i]) || !c.node(ct[i+1]) {
			return false
		}
	}
	return true
}
