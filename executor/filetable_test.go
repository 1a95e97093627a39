package executor

import (
	"slices"
	"testing"
)

// TestJhashString checks jhashString against GNU make 4.3's jhash_string
// (values from its C source compiled as is).
func TestJhashString(t *testing.T) {
	for _, tt := range []struct {
		s    string
		want uint32
	}{
		{"", 834184464},
		{"a", 2103777456},
		{"ab", 4187565006},
		{"abc", 3127986206},
		{"abcd", 798409325},
		{"abcde", 3847514956},
		{"1.b", 1131359015},
		{"2.b", 3863566490},
		{"inter.b", 2249314475},
		{"foo.e", 625024886},
		{"0123456789ab", 3253174685},
		{"0123456789abcdef", 2917572993},
		{"dir/some/long/file-name.o", 1986253766},
	} {
		if got := jhashString(tt.s); got != tt.want {
			t.Errorf("jhashString(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

func TestFileTableOrder(t *testing.T) {
	// 2.b and 1.b are in slots 154 and 807; foo.e and ab in 886 and 974
	// of 1024, 1910 and 974 of 2048 (more than 960 files known).
	names := []string{"1.b", "2.b"}
	fileTableOrder(names, 10)
	if want := []string{"2.b", "1.b"}; !slices.Equal(names, want) {
		t.Errorf("small table: %q, want %q", names, want)
	}
	names = []string{"ab", "foo.e"}
	fileTableOrder(names, 10)
	if want := []string{"foo.e", "ab"}; !slices.Equal(names, want) {
		t.Errorf("small table: %q, want %q", names, want)
	}
	fileTableOrder(names, 1000)
	if want := []string{"ab", "foo.e"}; !slices.Equal(names, want) {
		t.Errorf("grown table: %q, want %q", names, want)
	}
}
