package broker

// smallSet is the size up to which the sets below are plain slices: most
// channels have a few subscribers and most subscribers hold a few channels,
// and a slice costs far less memory than a map and is faster to scan.
const smallSet = 16

// subscriberSet is the set of subscribers of one channel or pattern. The
// list is what a publish iterates; the index, built only once the set is
// large, makes removal O(1).
type subscriberSet struct {
	list  []Subscriber
	index map[Subscriber]int
}

func (s *subscriberSet) add(x Subscriber) bool {
	if s.position(x) >= 0 {
		return false
	}
	s.list = append(s.list, x)
	if s.index != nil {
		s.index[x] = len(s.list) - 1
	} else if len(s.list) > smallSet {
		s.index = make(map[Subscriber]int, len(s.list))
		for i, y := range s.list {
			s.index[y] = i
		}
	}
	return true
}

func (s *subscriberSet) remove(x Subscriber) bool {
	i := s.position(x)
	if i < 0 {
		return false
	}
	last := len(s.list) - 1
	if i != last {
		s.list[i] = s.list[last]
		if s.index != nil {
			s.index[s.list[i]] = i
		}
	}
	s.list[last] = nil
	s.list = s.list[:last]
	if s.index != nil {
		delete(s.index, x)
		if len(s.list) <= smallSet/2 {
			s.index = nil
		}
	}
	return true
}

func (s *subscriberSet) position(x Subscriber) int {
	if s.index != nil {
		if i, ok := s.index[x]; ok {
			return i
		}
		return -1
	}
	for i, y := range s.list {
		if y == x {
			return i
		}
	}
	return -1
}

// nameSet is a set of channel or pattern names held by one subscriber, kept
// in insertion order while small.
type nameSet struct {
	list  []string
	index map[string]struct{}
}

func (s *nameSet) len() int {
	if s.index != nil {
		return len(s.index)
	}
	return len(s.list)
}

func (s *nameSet) has(name string) bool {
	if s.index != nil {
		_, ok := s.index[name]
		return ok
	}
	for _, n := range s.list {
		if n == name {
			return true
		}
	}
	return false
}

func (s *nameSet) add(name string) bool {
	if s.has(name) {
		return false
	}
	if s.index != nil {
		s.index[name] = struct{}{}
		return true
	}
	s.list = append(s.list, name)
	if len(s.list) > smallSet {
		s.index = make(map[string]struct{}, len(s.list))
		for _, n := range s.list {
			s.index[n] = struct{}{}
		}
		s.list = nil
	}
	return true
}

func (s *nameSet) remove(name string) bool {
	if s.index != nil {
		if _, ok := s.index[name]; !ok {
			return false
		}
		delete(s.index, name)
		return true
	}
	for i, n := range s.list {
		if n == name {
			copy(s.list[i:], s.list[i+1:])
			s.list[len(s.list)-1] = ""
			s.list = s.list[:len(s.list)-1]
			return true
		}
	}
	return false
}

// names returns the set's names in a new slice.
func (s *nameSet) names() []string {
	if s.index == nil {
		return append([]string(nil), s.list...)
	}
	out := make([]string, 0, len(s.index))
	for n := range s.index {
		out = append(out, n)
	}
	return out
}
