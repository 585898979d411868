package keyfailover

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestClassify(t *testing.T) {
	t.Parallel()

	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	quotaOpenAI := `{"error":{"message":"You exceeded your current quota.",` +
		`"type":"insufficient_quota","param":null,"code":"insufficient_quota"}}`
	headers := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}

	tests := []struct {
		name   string
		status int
		header http.Header
		body   string
		want   Verdict
	}{
		{name: "200", status: 200, want: Verdict{Success: true}},
		{name: "204", status: 204, want: Verdict{Success: true}},
		{name: "304", status: 304, want: Verdict{}},

		{name: "429 without wait", status: 429, want: rateLimited},
		{
			name:   "429 retry-after-ms",
			status: 429,
			header: headers("retry-after-ms", "1500", "Retry-After", "9"),
			want:   withWait(rateLimited, 1500*time.Millisecond),
		},
		{
			name:   "429 retry-after-ms fractional",
			status: 429,
			header: headers("retry-after-ms", "250.5"),
			want:   withWait(rateLimited, 250500*time.Microsecond),
		},
		{
			name:   "429 retry-after-ms zero falls back to Retry-After",
			status: 429,
			header: headers("retry-after-ms", "0", "Retry-After", "7"),
			want:   withWait(rateLimited, 7*time.Second),
		},
		{
			name:   "429 retry-after-ms negative",
			status: 429,
			header: headers("retry-after-ms", "-5"),
			want:   rateLimited,
		},
		{
			name:   "429 retry-after-ms garbage falls back to Retry-After",
			status: 429,
			header: headers("retry-after-ms", "soon", "Retry-After", "3"),
			want:   withWait(rateLimited, 3*time.Second),
		},
		{
			name:   "429 Retry-After seconds",
			status: 429,
			header: headers("Retry-After", "120"),
			want:   withWait(rateLimited, 2*time.Minute),
		},
		{
			name:   "429 Retry-After date",
			status: 429,
			header: headers("Retry-After", now.Add(90*time.Second).Format(http.TimeFormat)),
			want:   withWait(rateLimited, 90*time.Second),
		},
		{
			name:   "429 Retry-After date in the past",
			status: 429,
			header: headers("Retry-After", now.Add(-time.Minute).Format(http.TimeFormat)),
			want:   rateLimited,
		},
		{
			name:   "429 Retry-After zero",
			status: 429,
			header: headers("Retry-After", "0"),
			want:   rateLimited,
		},
		{
			name:   "429 Retry-After negative",
			status: 429,
			header: headers("Retry-After", "-30"),
			want:   rateLimited,
		},
		{
			name:   "429 Retry-After garbage",
			status: 429,
			header: headers("Retry-After", "tomorrow-ish"),
			want:   rateLimited,
		},
		{
			name:   "429 Retry-After NaN",
			status: 429,
			header: headers("Retry-After", "NaN"),
			want:   rateLimited,
		},
		{
			name:   "429 Retry-After overflowing",
			status: 429,
			header: headers("Retry-After", "1e300"),
			want:   withWait(rateLimited, time.Duration(1<<63-1)),
		},

		{name: "429 quota OpenAI", status: 429, body: quotaOpenAI, want: quota(0)},
		{
			name:   "429 quota OpenAI with wait",
			status: 429,
			header: headers("Retry-After", "30"),
			body:   quotaOpenAI,
			want:   quota(30 * time.Second),
		},
		{
			name:   "429 quota by code alone",
			status: 429,
			body:   `{"error":{"type":"requests","code":"insufficient_quota"}}`,
			want:   quota(0),
		},
		{
			name:   "429 quota Anthropic shape",
			status: 429,
			body:   `{"type":"error","error":{"type":"insufficient_quota","message":"out"}}`,
			want:   quota(0),
		},
		{
			name:   "429 quota in a truncated body",
			status: 429,
			body:   quotaOpenAI[:90],
			want:   quota(0),
		},
		{
			name:   "429 quota named only in the message",
			status: 429,
			body:   `{"error":{"message":"not insufficient_quota","type":"requests"}}`,
			want:   rateLimited,
		},
		{
			name:   "429 Anthropic rate limit",
			status: 429,
			body:   `{"type":"error","error":{"type":"rate_limit_error","message":"slow"}}`,
			want:   rateLimited,
		},
		{
			name:   "429 body not JSON",
			status: 429,
			body:   "<html>Too Many Requests</html>",
			want:   rateLimited,
		},

		{name: "401", status: 401, want: unauthorized},
		{name: "402", status: 402, want: Verdict{Failover: true, Reason: ReasonBilling}},

		{
			name:   "403 account deactivated",
			status: 403,
			body: `{"error":{"message":"deactivated","type":"invalid_request_error",` +
				`"param":null,"code":"account_deactivated"}}`,
			want: Verdict{Failover: true, Reason: ReasonDisabled},
		},
		{
			name:   "403 invalid key after nested members",
			status: 403,
			body:   `{"meta":{"a":[1,{"b":2}]},"error":{"details":[{}],"code":"invalid_api_key"}}`,
			want:   Verdict{Failover: true, Reason: ReasonDisabled},
		},
		{
			name:   "403 Anthropic permission error",
			status: 403,
			body:   `{"type":"error","error":{"type":"permission_error","message":"no"}}`,
			want:   Verdict{},
		},
		{
			name:   "403 region not supported",
			status: 403,
			body:   `{"error":{"code":"unsupported_country_region_territory"}}`,
			want:   Verdict{},
		},
		{name: "403 without body", status: 403, want: Verdict{}},
		{
			name:   "403 error as a string",
			status: 403,
			body:   `{"error":"account_deactivated"}`,
			want:   Verdict{},
		},

		{name: "400", status: 400, want: Verdict{}},
		{name: "404", status: 404, want: Verdict{}},
		{name: "413", status: 413, want: Verdict{}},
		{name: "422", status: 422, want: Verdict{}},
		{name: "500", status: 500, want: Verdict{}},
		{name: "502", status: 502, want: Verdict{}},
		{name: "503", status: 503, want: Verdict{}},
		{name: "529", status: 529, want: Verdict{}},
		{name: "no answer", status: 0, want: Verdict{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			header := tt.header
			if header == nil {
				header = http.Header{}
			}
			got := ClassifyAt(now, tt.status, header, []byte(tt.body))
			require.Equal(t, tt.want, got)
		})
	}
}

func TestClassifyNilHeader(t *testing.T) {
	t.Parallel()

	require.Equal(t, rateLimited, Classify(429, nil, nil))
}

func TestReasonPermanent(t *testing.T) {
	t.Parallel()

	for _, r := range []Reason{ReasonAuthentication, ReasonBilling, ReasonDisabled} {
		require.True(t, r.Permanent(), r)
	}
	for _, r := range []Reason{ReasonNone, ReasonRateLimit, ReasonQuota} {
		require.False(t, r.Permanent(), r)
	}
}

func withWait(v Verdict, d time.Duration) Verdict {
	v.Wait = d
	return v
}

func quota(wait time.Duration) Verdict {
	return Verdict{Failover: true, Reason: ReasonQuota, Wait: wait}
}
