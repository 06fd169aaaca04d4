package slab

import "testing"

func TestTakeFillsBlocks(t *testing.T) {
	var s []int
	first := Take(&s, 2)
	*first = 1
	second := Take(&s, 2)
	*second = 2
	third := Take(&s, 2) // a new block: the first two keep theirs
	*third = 3
	if *first != 1 || *second != 2 || *third != 3 || len(s) != 1 || cap(s) != 2 {
		t.Fatalf("values %d %d %d, block len %d cap %d", *first, *second, *third, len(s), cap(s))
	}
}

func TestCopyDoesNotShareWithTheNextCopy(t *testing.T) {
	var s []int
	a := Copy(&s, []int{1, 2}, 4)
	b := Copy(&s, []int{3}, 4)
	a = append(a, 9) // a's capacity ends with it: b is untouched
	if b[0] != 3 || a[2] != 9 {
		t.Fatalf("a %v b %v", a, b)
	}
	big := Copy(&s, []int{1, 2, 3, 4, 5}, 4)
	if len(big) != 5 || big[4] != 5 {
		t.Fatalf("a copy larger than a block: %v", big)
	}
}
