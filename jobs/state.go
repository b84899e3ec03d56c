package jobs

// State is where a job is in its life.
type State string

// The states of a job. A job starts Queued, becomes Running, and ends in
// one of the final states (see [State.Final]). Interrupted is the state of
// a job whose server stopped while it was queued or running; it is run
// again by [Manager.Resume].
const (
	Queued              State = "queued"
	Running             State = "running"
	Completed           State = "completed"
	CompletedWithErrors State = "completed-with-errors"
	Failed              State = "failed"
	Cancelled           State = "cancelled"
	Interrupted         State = "interrupted"
)

// Final reports whether the job has ended and will not change again:
// completed (with or without errors), failed or cancelled. Interrupted is
// not final: the job will be run again.
func (s State) Final() bool {
	switch s {
	case Completed, CompletedWithErrors, Failed, Cancelled:
		return true
	}
	return false
}
