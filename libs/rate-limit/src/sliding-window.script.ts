/**
 * One request against both policies of a subject, atomically, in one round trip, optionally
 * taking a lease of further tokens for the instance to spend without asking again
 * (see QuotaLeases).
 *
 * KEYS[1]: the minute log, a sorted set of weighted entries: member `<id>:<weight>`, score the
 *          time until which the entry may still be spent (now, or the lease's end). An entry
 *          counts while its score is inside the last minute, so a lease's tokens count for the
 *          whole time they can be spent: no 60 s window ever holds more than `minuteLimit`.
 * KEYS[2]: the day quota, a hash { d = UTC day number, n = count } (resets at 00:00 UTC).
 * KEYS[3]: the sum of the weights in the minute log (kept so counting is O(1); rebuilt from the
 *          log if it is missing).
 * ARGV: minuteLimit, dayLimit, cost, windowMs, a unique entry id, tokens wanted for a lease,
 *       the lease's lifetime in ms.
 * All keys carry the same {hash tag}, so the script also runs on Redis Cluster.
 * Time comes from Redis (TIME), so instances with skewed clocks share one timeline.
 * Returns { violated ('' | 'minute' | 'day'), minuteUsed, minuteResetMs, dayUsed, dayResetMs,
 *           retryMs, leased, leaseMs }; minuteUsed and dayUsed include the leased tokens.
 */
export const SLIDING_WINDOW_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local minuteLimit = tonumber(ARGV[1])
local dayLimit = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local window = tonumber(ARGV[4])
local wanted = tonumber(ARGV[6])
local leaseMs = tonumber(ARGV[7])
local today = math.floor(now / 86400000)
local dayReset = 86400000 - (now % 86400000)

local function weight(member)
  return tonumber(string.match(member, ':(%d+)$'))
end

local used = tonumber(redis.call('GET', KEYS[3]))
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - window)
if #expired > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
end
if used == nil then
  used = 0
  for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do used = used + weight(member) end
else
  for _, member in ipairs(expired) do used = used - weight(member) end
end

local day = redis.call('HMGET', KEYS[2], 'd', 'n')
local dayUsed = 0
if tonumber(day[1]) == today then dayUsed = tonumber(day[2]) end

local violated = ''
local retry = 0
local leased = 0
if used + cost > minuteLimit then
  violated = 'minute'
  -- The oldest entries leave first: wait until enough weight has left the window.
  retry = window
  local excess = used + cost - minuteLimit
  local entries = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
  for i = 1, #entries, 2 do
    excess = excess - weight(entries[i])
    if excess <= 0 then
      retry = tonumber(entries[i + 1]) + window - now
      break
    end
  end
elseif dayUsed + cost > dayLimit then
  violated = 'day'
  retry = dayReset
else
  -- A lease never crosses midnight: its tokens are charged to today's quota.
  if leaseMs > dayReset then leaseMs = dayReset end
  leased = math.max(0, math.min(wanted, minuteLimit - used - cost, dayLimit - dayUsed - cost))
  local spendUntil = now
  if leased > 0 then spendUntil = now + leaseMs else leaseMs = 0 end
  local entryWeight = cost + leased
  redis.call('ZADD', KEYS[1], spendUntil, ARGV[5] .. ':' .. entryWeight)
  used = used + entryWeight
  dayUsed = dayUsed + entryWeight
  redis.call('HSET', KEYS[2], 'd', today, 'n', dayUsed)
  redis.call('PEXPIRE', KEYS[2], dayReset)
end
-- Both minute keys live as long as their newest entry counts.
local keep = window
local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if newest[2] then keep = tonumber(newest[2]) + window - now end
redis.call('SET', KEYS[3], used, 'PX', keep)
redis.call('PEXPIRE', KEYS[1], keep)

local minuteReset = window
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if oldest[2] then minuteReset = tonumber(oldest[2]) + window - now end
return { violated, used, minuteReset, dayUsed, dayReset, retry, leased, leaseMs }
`;
