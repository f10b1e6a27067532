package sigv4_test

import (
	"context"
	"testing"

	"github.com/chimed/chimed/sigv4"
)

// BenchmarkVerify measures Verify on a signed GET whose signing key is cached.
func BenchmarkVerify(b *testing.B) {
	v := mustVerifier(b, sigv4.Options{})
	r := newServerRequest(b, reqSpec{method: "GET", target: "/accounts/5f7c9a4e-2b1d-4c3e-9f8a-7b6c5d4e3f21/users?max-results=10&user-email=a%40example.com"})
	r.Header.Set("Amz-Sdk-Invocation-Id", "b7d7ec5e-0a5e-4a39-9e6e-0a1e4c1b7a11")
	r.Header.Set("Amz-Sdk-Request", "attempt=1; max=3")
	mustSignGo(b, r, nil, testAKID, testSecret, "chime", "eu-west-1", fixedNow)
	ctx := context.Background()
	if _, err := v.Verify(ctx, r, nil, testSecrets); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, r, nil, testSecrets); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyParallel is BenchmarkVerify from many goroutines (cache contention).
func BenchmarkVerifyParallel(b *testing.B) {
	v := mustVerifier(b, sigv4.Options{})
	r := newServerRequest(b, reqSpec{method: "GET", target: "/accounts"})
	mustSignGo(b, r, nil, testAKID, testSecret, "chime", "eu-west-1", fixedNow)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := v.Verify(ctx, r, nil, testSecrets); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
