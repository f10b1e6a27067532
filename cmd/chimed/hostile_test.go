package main_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"

	"github.com/chimed/chimed/internal/testenv"
)

const anyAuthHeader = "Authorization: AWS4-HMAC-SHA256 Credential=111122223333/20261122/us-east-1/chime/aws4_request, " +
	"SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000\r\n"

// TestHostileClients: clients that never finish their headers neither delay others nor stay connected; a
// huge declared body is refused before it is read; oversized labels and headers are refused.
func TestHostileClients(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	p := testenv.StartChimed(t, testenv.BuildChimed(t), "--auth", "any", "--db", "sqlite::memory:", "--read-header-timeout", "1s")

	// 50 connections that send half a request line's headers and then nothing.
	var slow []net.Conn
	for i := 0; i < 50; i++ {
		c, err := net.Dial("tcp", p.Addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, "GET /accounts HTTP/1.1\r\nHost: x\r\nX-Slow: ")
		slow = append(slow, c)
	}
	start := time.Now()
	if _, err := p.Client("111122223333").ListAccounts(context.Background(), &chime.ListAccountsInput{}); err != nil {
		t.Fatalf("a normal request failed while slow clients hang: %v", err)
	}
	if d := time.Since(start); d > 900*time.Millisecond {
		t.Errorf("a normal request took %v while slow clients hang", d)
	}
	// The server drops them after the header timeout.
	var wg sync.WaitGroup
	var mu sync.Mutex
	open := 0
	for _, c := range slow {
		wg.Add(1)
		go func(c net.Conn) {
			defer wg.Done()
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := io.ReadAll(c); err != nil { // a timeout here means the server kept it open
				mu.Lock()
				open++
				mu.Unlock()
			}
		}(c)
	}
	wg.Wait()
	if open > 0 {
		t.Errorf("%d slow connections still open 5 s after a 1 s header timeout", open)
	}

	// A declared 100 MiB body is refused with 400 after only a few bytes were sent.
	c, err := net.Dial("tcp", p.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "POST /accounts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"+anyAuthHeader+
		"Content-Length: 104857600\r\n\r\n{\"Name\":")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer to an oversized body: %v", err)
	}
	if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-Errortype") != "BadRequestException" {
		t.Errorf("oversized body: %d %s", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"))
	}

	// A chunked body that grows past 1 MiB is cut off at the limit.
	pr, pw := io.Pipe()
	go func() {
		pw.Write([]byte(`{"Name":"`))
		chunk := []byte(strings.Repeat("a", 64<<10))
		for i := 0; i < 40; i++ {
			if _, err := pw.Write(chunk); err != nil {
				return
			}
		}
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", "http://"+p.Addr+"/accounts", pr)
	req.Header.Set("Authorization", strings.TrimSuffix(strings.TrimPrefix(anyAuthHeader, "Authorization: "), "\r\n"))
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != 400 {
		t.Errorf("chunked body over 1 MiB: status %d", r2.StatusCode)
	}

	// Oversized path label → 400; oversized headers → 431 from net/http.
	cl := p.Client("111122223333")
	_, err = cl.GetAccount(context.Background(), &chime.GetAccountInput{AccountId: aws.String(strings.Repeat("x", 5000))})
	if err == nil || !strings.Contains(err.Error(), "BadRequestException") {
		t.Errorf("oversized label: %v", err)
	}
	hreq, _ := http.NewRequest("GET", "http://"+p.Addr+"/accounts", nil)
	hreq.Header.Set("X-Big", strings.Repeat("b", 100<<10))
	r3, err := http.DefaultClient.Do(hreq)
	if err != nil {
		t.Fatal(err)
	}
	r3.Body.Close()
	if r3.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("oversized headers: status %d", r3.StatusCode)
	}
}
