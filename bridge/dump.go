package bridge

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aigateway/aigateway/keyfailover"
	"github.com/aigateway/aigateway/recorder"
)

// credentialHeaders are masked in dumps.
var credentialHeaders = map[string]bool{
	"Authorization":       true,
	"X-Api-Key":           true,
	"Proxy-Authorization": true,
	"Cookie":              true,
	"Set-Cookie":          true,
	http.CanonicalHeaderKey(HeaderGovernanceToken): true,
}

// minScrubbed is the shortest credential that dumps scrub: a shorter one,
// such as a BYOK client's garbage key, would blank out ordinary text.
const minScrubbed = 8

// dump writes an interception's request and response under
// <DumpDir>/<provider name>/, readable by the gateway's user only. It is
// best effort: a failure is logged and the request goes on. Besides the
// credential headers, which are masked, any echo of the key the attempt
// sent is scrubbed, in headers and body alike.
func (q *request) dump(ic *recorder.Interception, at attempt, body []byte) {
	if q.h.opts.DumpDir == "" {
		return
	}
	dir := filepath.Join(q.h.opts.DumpDir, q.provider.Name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		q.h.opts.Logger.Warn("create dump folder", "error", err)
		return
	}

	var req bytes.Buffer
	fmt.Fprintf(&req, "%s %s\n", q.r.Method, q.r.URL.Path)
	writeHeaders(&req, q.r.Header)
	req.WriteString("\n")
	req.Write(q.body)

	var res bytes.Buffer
	fmt.Fprintf(&res, "%s\n", at.resp.Status)
	writeHeaders(&res, at.resp.Header)
	res.WriteString("\n")
	res.Write(body)

	files := map[string][]byte{".request": req.Bytes(), ".response": res.Bytes()}
	for _, secret := range []string{at.secret, strings.TrimPrefix(q.cred.byokValue, "Bearer ")} {
		if len(secret) < minScrubbed {
			continue
		}
		for name, data := range files {
			files[name] = scrub(data, secret)
		}
	}

	base := filepath.Join(dir, ic.ID.String())
	for name, data := range files {
		if err := os.WriteFile(base+name, data, 0o600); err != nil {
			q.h.opts.Logger.Warn("write dump", "file", base+name, "error", err)
		}
	}
}

// writeHeaders writes headers sorted by name, credentials masked.
func writeHeaders(b *bytes.Buffer, h http.Header) {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range h[k] {
			if credentialHeaders[k] {
				v = keyfailover.Mask(v)
			}
			fmt.Fprintf(b, "%s: %s\n", k, v)
		}
	}
}
