-- Replays pre-signed webhook requests (one "body<TAB>signature" a line), each thread its own share,
-- so that every request is a new message (unique MessageSid) as long as the file lasts.
local lines = {}
local counter = 0
local nthreads = 1
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    local tab = line:find("\t")
    table.insert(lines, { line:sub(1, tab - 1), line:sub(tab + 1) })
  end
  nthreads = tonumber(args[2])
  counter = id
end

function request()
  local item = lines[(counter % #lines) + 1]
  counter = counter + nthreads
  return wrk.format("POST", "/twilio/sms", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = item[2],
  }, item[1])
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "status_errors": %d, "connect_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.status, summary.errors.connect, summary.errors.timeout))
end
