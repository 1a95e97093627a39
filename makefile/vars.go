package makefile

// VarSet is a set of variables by name: the globals, or the
// target-specific variables of one target.
type VarSet struct {
	m     map[string]*Var
	order []string
	// gen counts the definitions and deletions in the set, so that what
	// is worked out from it can tell it is still current.
	gen uint64
}

func newVarSet() *VarSet { return &VarSet{m: make(map[string]*Var)} }

// Lookup returns the variable called name, or nil.
func (s *VarSet) Lookup(name string) *Var {
	if s == nil {
		return nil
	}
	return s.m[name]
}

// Names returns the names of the variables in s in the order they were
// first defined.
func (s *VarSet) Names() []string {
	if s == nil {
		return nil
	}
	out := make([]string, 0, len(s.m))
	for _, n := range s.order {
		if _, ok := s.m[n]; ok {
			out = append(out, n)
		}
	}
	return out
}

// Len returns the number of variables in s.
func (s *VarSet) Len() int {
	if s == nil {
		return 0
	}
	return len(s.m)
}

func (s *VarSet) set(v *Var) {
	s.gen++
	old, ok := s.m[v.Name]
	if !ok {
		s.order = append(s.order, v.Name)
	} else if old != nil && old.envValue != "" && v.envValue == "" {
		// A makefile's SHELL does not change the SHELL recipes get
		// from the environment.
		v.envValue = old.envValue
	}
	s.m[v.Name] = v
}

func (s *VarSet) del(name string) {
	s.gen++
	delete(s.m, name)
}
