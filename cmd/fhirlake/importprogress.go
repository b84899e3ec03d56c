package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/fhirlake/fhirlake/jobs"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progressDisplay shows how an import job is doing while `fhirlake
// import` waits for it.
type progressDisplay interface {
	// update shows the job as it is now.
	update(j jobs.Job)
	// done ends the display before the summary is printed.
	done()
}

// plainEvery is how often a display without a terminal prints a line.
const plainEvery = 5 * time.Second

// newProgress returns a live progress bar when w is a terminal, and
// plain periodic lines otherwise (a pipe, a log, CI).
func newProgress(w io.Writer) progressDisplay {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return &barProgress{w: w}
	}
	return &plainProgress{w: w, every: plainEvery}
}

// barProgress draws a progress bar of the bytes read, with the
// resources/s, the rejected count and the ETA.
type barProgress struct {
	w   io.Writer
	bar *progressbar.ProgressBar
	// read says that every byte was read: the bar is gone, the views
	// are being refreshed.
	read bool
}

func (b *barProgress) update(j jobs.Job) {
	p := j.Progress
	if b.bar == nil {
		if j.State != jobs.Running || p.BytesTotal == 0 {
			return
		}
		b.bar = progressbar.NewOptions64(p.BytesTotal,
			progressbar.OptionSetWriter(b.w),
			progressbar.OptionShowBytes(true),
			progressbar.OptionShowTotalBytes(true),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	if b.read {
		return
	}
	b.bar.Describe(fmt.Sprintf("%d resources (%.0f/s), %d rejected", p.Records, j.RecordsPerSecond, p.Rejected))
	_ = b.bar.Set64(min(p.BytesRead, p.BytesTotal))
	if j.State == jobs.Running && p.Files == p.FilesTotal {
		b.read = true
		_ = b.bar.Finish()
		fmt.Fprintln(b.w, "all files read; refreshing the views...")
	}
}

func (b *barProgress) done() {
	if b.bar != nil {
		_ = b.bar.Finish()
	}
}

// plainProgress prints a line every few seconds.
type plainProgress struct {
	w     io.Writer
	every time.Duration
	last  time.Time
}

func (pp *plainProgress) update(j jobs.Job) {
	if j.State != jobs.Running || time.Since(pp.last) < pp.every {
		return
	}
	if pp.last.IsZero() { // the first line comes after one period
		pp.last = time.Now()
		return
	}
	pp.last = time.Now()
	fmt.Fprintln(pp.w, progressLine(j))
}

func (pp *plainProgress) done() {}

// progressLine describes a running job in one line, such as "import
// 2026…: 45% of 27.0 MB, 12000 resources (5000/s), 2 rejected, ETA 6s".
func progressLine(j jobs.Job) string {
	p := j.Progress
	pct := 0.0
	if p.BytesTotal > 0 {
		pct = float64(p.BytesRead) * 100 / float64(p.BytesTotal)
	}
	s := fmt.Sprintf("import %s: %.0f%% of %.1f MB, %d resources (%.0f/s), %d rejected",
		j.ID, pct, float64(p.BytesTotal)/1e6, p.Records, j.RecordsPerSecond, p.Rejected)
	switch {
	case j.State == jobs.Running && p.FilesTotal > 0 && p.Files == p.FilesTotal:
		s += "; all files read, refreshing the views"
	case j.ETASeconds > 0:
		s += ", ETA " + (time.Duration(j.ETASeconds) * time.Second).String()
	}
	return s
}
