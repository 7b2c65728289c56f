import type { Redis } from 'ioredis';
import type { Clock } from '../../clock';
import type { RateDecision } from './shared-state';
import { bucketWidth, rateDecision, SLOTS } from './sliding-window';

// The ring of sliding-window.ts as one Redis hash: field "h" is the newest bucket, "t" the total, and field
// (bucket mod SLOTS) each bucket's count (absent when zero). One script, so Redis runs check-and-count atomically
// for every process at once; its cost is at most SLOTS hash operations whatever the limit.
// KEYS[1] the window; ARGV: now (ms), limit, bucket width (ms), SLOTS. Returns { allowed, counted, freesAt }.
const TAKE = `
local key = KEYS[1]
local now, limit, width, slots = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local state = redis.call('HMGET', key, 'h', 't')
local current = math.floor(now / width)
local head = tonumber(state[1]) or current
local total = tonumber(state[2]) or 0
-- A caller whose clock is behind the newest bucket counts in the newest bucket (conservative).
if current < head then current = head end
if current - head >= slots then
  redis.call('DEL', key)
  total = 0
else
  for bucket = head + 1, current do
    local field = tostring(bucket % slots)
    local n = tonumber(redis.call('HGET', key, field))
    if n then
      total = total - n
      redis.call('HDEL', key, field)
    end
  end
end
local allowed = total < limit
if allowed then
  redis.call('HINCRBY', key, tostring(current % slots), 1)
  total = total + 1
end
redis.call('HSET', key, 'h', current, 't', total)
redis.call('PEXPIRE', key, slots * width)
-- When the window, left alone, counts no more than target: the oldest buckets expire first.
local target = allowed and (total - 1) or (limit - 1)
local fields = {}
for bucket = current - slots + 1, current do fields[#fields + 1] = tostring(bucket % slots) end
local counts = redis.call('HMGET', key, unpack(fields))
local left = total
local freesAt = (current + slots) * width
for i = 1, slots do
  left = left - (tonumber(counts[i]) or 0)
  if left <= target then
    freesAt = (current + i) * width
    break
  end
end
return { allowed and 1 or 0, total, freesAt }`;

/** Rate windows in Redis, shared by every process using the same Redis and prefix. */
export class RedisRateWindows {
  constructor(private readonly redis: Redis, private readonly clock: Clock, private readonly prefix: string) {
    redis.defineCommand('askdeskTake', { numberOfKeys: 1, lua: TAKE });
  }

  async take(key: string, limit: number, windowMs: number): Promise<RateDecision> {
    const now = this.clock.now();
    const take = (this.redis as unknown as { askdeskTake: (...args: (string | number)[]) => Promise<[number, number, number]> }).askdeskTake;
    const [allowed, counted, freesAt] = await take.call(this.redis, this.prefix + key, now, limit, bucketWidth(windowMs), SLOTS);
    return rateDecision(limit, allowed === 1, counted, freesAt, now);
  }
}
