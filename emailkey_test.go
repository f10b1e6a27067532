package chime_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	chime "github.com/chimed/chimed"
)

// Email identity (docs/behavior.md D10): EmailKey is the full Unicode case folding of the NFC form, the same
// as Python's unicodedata.normalize("NFC", s).casefold().

// emailKeyVectors: input, expected key (computed with Python 3.11's unicodedata.normalize("NFC", s).casefold()).
var emailKeyVectors = [][2]string{
	{"plain@example.org", "plain@example.org"},
	{"MiXeD@Example.Org", "mixed@example.org"},
	{"STRASSE@example.org", "strasse@example.org"},
	{"straße@example.org", "strasse@example.org"}, // ß folds to ss
	{"Straße@Example.ORG", "strasse@example.org"},
	{"\u1e9e@x.org", "ss@x.org"},                             // capital sharp s
	{"e\u0301@x.org", "\u00e9@x.org"},                        // NFD é
	{"\u00e9@x.org", "\u00e9@x.org"},                         // NFC é
	{"E\u0301@X.ORG", "\u00e9@x.org"},                        // NFD É
	{"ΣΊΣΥΦΟΣ@x.gr", "σίσυφοσ@x.gr"},                         // capital sigma
	{"σίσυφος@x.gr", "σίσυφοσ@x.gr"},                         // final sigma folds to σ
	{"ς@x.gr", "σ@x.gr"},                                     //
	{"\u0130stanbul@x.tr", "i\u0307stanbul@x.tr"},            // Turkish dotted capital I: i + combining dot (not Turkic folding)
	{"\u0131i@x.tr", "\u0131i@x.tr"},                         // dotless ı stays
	{"I@x.org", "i@x.org"},                                   //
	{"\ufb01nance@x.org", "finance@x.org"},                   // ligature ﬁ
	{"\ufb00@x.org", "ff@x.org"},                             // ligature ﬀ
	{"FINANCE@x.org", "finance@x.org"},                       //
	{"\uff21\uff22\uff23@x.org", "\uff41\uff42\uff43@x.org"}, // full-width letters fold to full-width (no NFKC)
	{"\uff41\uff42\uff43@x.org", "\uff41\uff42\uff43@x.org"}, //
	{"\u212a@x.org", "k@x.org"},                              // Kelvin sign
	{"\u212b@x.org", "\u00e5@x.org"},                         // Ångström sign: NFC Å, then å
	{"\u00c5@x.org", "\u00e5@x.org"},                         //
	{"\u01f0@x.org", "j\u030c@x.org"},                        // ǰ folds to j + caron
	{"J\u030c@x.org", "j\u030c@x.org"},                       //
	{"\u0149@x.org", "\u02bcn@x.org"},                        // ŉ
	{"\u00df\u0301@x.org", "ss\u0301@x.org"},                 //
	{"\u1f88@x.org", "\u1f00\u03b9@x.org"},                   // ᾈ
	{"\u01c5@x", "\u01c6@x"},                                 // title-case digraph ǅ
}

// TestEmailKeyVectors checks EmailKey against fixed vectors (Python's output, recorded).
func TestEmailKeyVectors(t *testing.T) {
	for _, v := range emailKeyVectors {
		if got := chime.EmailKey(v[0]); got != v[1] {
			t.Errorf("EmailKey(%+q) = %+q, want %+q", v[0], got, v[1])
		}
	}
	// One identity: the forms of one address share the key.
	same := [][]string{
		{"STRASSE@example.org", "straße@example.org", "Strasse@EXAMPLE.org"},
		{"Jos\u00e9@example.org", "Jose\u0301@example.org", "JOS\u00c9@EXAMPLE.ORG", "JOSE\u0301@example.org"},
		{"\ufb01@x.org", "FI@x.org"},
	}
	for _, group := range same {
		for _, e := range group[1:] {
			if chime.EmailKey(e) != chime.EmailKey(group[0]) {
				t.Errorf("EmailKey(%+q) = %+q, EmailKey(%+q) = %+q: want one identity", e, chime.EmailKey(e),
					group[0], chime.EmailKey(group[0]))
			}
		}
	}
}

// TestEmailKeyMatchesPython compares EmailKey with python3's unicodedata.normalize("NFC", s).casefold() for the
// fixed vectors and for every code point Python's Unicode database assigns (alone and inside an address). It is
// skipped when python3 is not installed (the fixed vectors above still run).
func TestEmailKeyMatchesPython(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed: TestEmailKeyVectors covers the fixed vectors")
	}
	var inputs []string
	for _, v := range emailKeyVectors {
		inputs = append(inputs, v[0])
	}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		// Every assigned code point but controls, private use and surrogates.
		if !utf8.ValidRune(r) || !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z) {
			continue
		}
		inputs = append(inputs, "Ab"+string(r)+"@Example.org")
	}
	// Python reads JSON lines and answers, per line, the key or null for a code point its database does
	// not assign (its Unicode version may be older than Go's).
	const script = `
import sys, json, unicodedata
out = []
for line in sys.stdin:
    s = json.loads(line)
    if any(unicodedata.category(c) == "Cn" for c in s):
        out.append("null")
    else:
        out.append(json.dumps(unicodedata.normalize("NFC", s).casefold()))
sys.stdout.write("\n".join(out) + "\n")
`
	var in bytes.Buffer
	for _, s := range inputs {
		b, _ := json.Marshal(s)
		in.Write(b)
		in.WriteByte('\n')
	}
	cmd := exec.Command("python3", "-c", script)
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, stderr.String())
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	i, compared, failures := 0, 0, 0
	for sc.Scan() {
		if i >= len(inputs) {
			t.Fatal("python3 answered more lines than it was given")
		}
		var want *string
		if err := json.Unmarshal(sc.Bytes(), &want); err != nil {
			t.Fatalf("python3 line %d: %v", i, err)
		}
		if want != nil {
			compared++
			if got := chime.EmailKey(inputs[i]); got != *want && failures < 20 {
				failures++
				t.Errorf("EmailKey(%+q) = %+q, python3 says %+q", inputs[i], got, *want)
			}
		}
		i++
	}
	if i != len(inputs) {
		t.Fatalf("python3 answered %d lines for %d inputs", i, len(inputs))
	}
	if compared < len(inputs)/4 {
		t.Fatalf("only %d of %d inputs compared", compared, len(inputs))
	}
	t.Logf("%d strings compared with python3", compared)
}

// TestEmailKeyASCII: an ASCII address keeps its old key (lower case), so the stored keys of ASCII addresses do
// not change.
func TestEmailKeyASCII(t *testing.T) {
	for _, e := range []string{"a@b.c", "ABC.def+Tag@Example.COM", "x_Y-1@z.io", ""} {
		if got := chime.EmailKey(e); got != strings.ToLower(e) {
			t.Errorf("EmailKey(%q) = %q", e, got)
		}
	}
}

// TestEmailIdentityUnicode: the NFC and NFD forms of an address, and STRASSE and straße, are one address of one
// user per AWS account (D10); the address is kept as first supplied, and every form finds the user.
func TestEmailIdentityUnicode(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cases := []struct {
		first  string
		others []string
	}{
		{"Jos\u00e9@example.org", []string{"Jose\u0301@example.org", "JOSE\u0301@EXAMPLE.ORG", "jos\u00c9@example.org"}},
		{"stra\u00dfe@example.org", []string{"STRASSE@example.org", "Strasse@Example.org", "STRA\u1e9eE@example.org"}},
		{"\u03c3\u03af\u03c3\u03c5\u03c6\u03bf\u03c2@example.gr", []string{"\u03a3\u038a\u03a3\u03a5\u03a6\u039f\u03a3@example.gr"}},
		{"\ufb01nance@example.org", []string{"FINANCE@example.org"}},
	}
	for _, c := range cases {
		aws := newTenant()
		a := MustAccount(t, e, aws, "Dir", chime.AccountEnterpriseDirectory)
		first := MustCreateUser(t, e, aws, a.ID, c.first)
		for _, other := range c.others {
			_, err := e.Svc.CreateUser(ctx, aws, a.ID, chime.CreateUserInput{Email: &other})
			if chime.ErrorCode(err) != chime.ECONFLICT {
				t.Errorf("CreateUser %+q after %+q: %v, want a conflict", other, c.first, err)
			}
			if u := MustUserByEmail(t, e, aws, a.ID, other); u.ID != first.ID || u.Email != c.first {
				t.Errorf("ListUsers(user-email %+q) = %+q, want the user of %+q as first supplied", other, u.Email, c.first)
			}
			if got := MustListAccounts(t, e, aws, chime.ListAccountsInput{UserEmail: &other}); len(got) != 1 || got[0].ID != a.ID {
				t.Errorf("ListAccounts(user-email %+q) = %v accounts, want %s", other, accountIDs(got), a.ID)
			}
		}
	}
}
