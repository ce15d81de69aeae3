"""Settings of `make bench-load` (bench/load.py): the production settings, plus three bench-only
changes that never reach production:

- `bench/load_urls.py` adds the trivial 5 KB view, the ceiling every page is compared with;
- the page cache is bypassed for requests with an `X-Bench-No-Cache` header (the uncached rows);
- rate limits are off: wrk sends thousands of requests a second from one address.
"""

from portal.settings.production import *  # noqa: F403 -- bench settings extend production by design

ROOT_URLCONF = "bench.load_urls"
PAGECACHE_BYPASS_HEADER = "HTTP_X_BENCH_NO_CACHE"
RATELIMIT_ENABLE = False
