// Package jobs owns Passerelle's background work: the River client, its workers
// and periodic jobs, and the Prometheus view of the queue.
//
// Workers are thin: they call store/ (and, later, matching/ and search/) and
// return errors for River to retry with backoff. Jobs are enqueued by store/ in
// the same transaction as the write that causes them, never from api/.
package jobs
