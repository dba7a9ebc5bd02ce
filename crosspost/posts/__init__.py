"""The post store: the only code that creates posts and attempts or changes their state.

states   the declared transitions and the stored values (outcomes, retry actions)
moves    guarded changes of one post and its attempt rows
queue    what a person asks for: a new post, cancel, retry
claims   a worker leases due (or unknown) posts; gate keeps back what a budget or rest forbids
results  one call records a leased post's result, through a database outage
leases   heartbeats, expiry of vanished workers, unknown posts to alert about
due      when the next post becomes claimable
waiting  when a post goes out and why it waits
drafts   the checked draft stored on a post at scheduling: what is published
"""
