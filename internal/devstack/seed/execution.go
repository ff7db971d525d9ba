package seed

import (
	"fmt"
	"math"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

type outcome int

const (
	succeeded outcome = iota
	failed
	timedOut
	cancelled
)

// execution is one script run moving through the platform's saga.
type execution struct {
	*flow
	rt      runtime
	script  script
	sagaID  string
	pod     string
	node    string
	timeout int
	steps   []string // saga steps completed so far
}

// executionFlow follows one execution from request to pod cleanup, the
// sequence the platform's services emit, all under one execution id.
func (g *generator) executionFlow() []event {
	execID := uuid4(g.r)
	rt := pick(g, runtimes)
	x := &execution{
		flow:    g.newFlow(g.user(), execID, execID),
		rt:      rt,
		script:  pick(g, rt.scripts),
		sagaID:  uuid4(g.r),
		pod:     "executor-" + execID,
		node:    pick(g, nodeNames),
		timeout: pick(g, []int{30, 30, 30, 60, 10}),
	}
	requestID := x.request()
	x.startSaga(requestID)
	out := g.outcome()
	if out == cancelled {
		x.cancel()
		return x.events
	}
	x.startPod()
	x.finish(out)
	x.cleanup(out)
	return x.events
}

func (g *generator) outcome() outcome {
	switch p := g.r.IntN(100); {
	case p < 72:
		return succeeded
	case p < 89:
		return failed
	case p < 97:
		return timedOut
	default:
		return cancelled
	}
}

func (x *execution) limits() []bson.E {
	return []bson.E{
		e("timeout_seconds", x.timeout), e("cpu_limit", "100m"), e("memory_limit", "128Mi"),
		e("cpu_request", "50m"), e("memory_request", "64Mi"), e("priority", "normal"),
	}
}

func (x *execution) submission() []bson.E {
	return append([]bson.E{
		e("script", x.script.source), e("language", x.rt.language), e("language_version", x.rt.version),
		e("runtime_image", x.rt.image), e("runtime_command", x.rt.command), e("runtime_filename", x.rt.filename),
	}, x.limits()...)
}

func (x *execution) request() string {
	id := x.add("execution_requested", svcAPI, 0, 0, x.submission()...)
	pos := 1 + x.g.r.IntN(8)
	x.add("execution_accepted", svcCoordinator, 10*time.Millisecond, 60*time.Millisecond,
		e("queue_position", pos), e("estimated_wait_seconds", float64(pos)*1.5), e("priority", "normal"))
	x.add("execution_queued", svcCoordinator, 5*time.Millisecond, 30*time.Millisecond,
		e("position_in_queue", pos), e("estimated_start_time", x.at.Add(time.Duration(pos)*1500*time.Millisecond)))
	return id
}

func (x *execution) startSaga(requestID string) {
	x.add("saga_started", svcSaga, 20*time.Millisecond, 100*time.Millisecond,
		e("saga_id", x.sagaID), e("saga_name", sagaName), e("initial_event_id", requestID))
	x.add("allocate_resources_command", svcSaga, 5*time.Millisecond, 20*time.Millisecond,
		e("cpu_request", "50m"), e("memory_request", "64Mi"))
	x.steps = append(x.steps, "validate_execution", "allocate_resources")
}

func (x *execution) startPod() {
	x.add("create_pod_command", svcSaga, 10*time.Millisecond, 50*time.Millisecond,
		append([]bson.E{e("saga_id", x.sagaID)}, x.submission()...)...)
	x.steps = append(x.steps, "create_pod")
	x.add("pod_created", svcK8sWorker, 100*time.Millisecond, 400*time.Millisecond,
		e("pod_name", x.pod), e("namespace", namespace))
	x.add("pod_scheduled", svcPodMonitor, 50*time.Millisecond, 300*time.Millisecond,
		e("pod_name", x.pod), e("node_name", x.node))
	x.add("pod_running", svcPodMonitor, time.Second, 4*time.Second,
		e("pod_name", x.pod), e("container_statuses", bson.A{bson.D{
			e("name", containerName), e("ready", true), e("restart_count", 0), e("state", "running"),
		}}))
	x.add("execution_started", svcPodMonitor, 50*time.Millisecond, 200*time.Millisecond,
		e("pod_name", x.pod), e("node_name", x.node), e("container_id", "containerd://"+hexString(x.g.r, 64)))
	x.add("execution_running", svcPodMonitor, 100*time.Millisecond, 500*time.Millisecond,
		e("pod_name", x.pod), e("progress_percentage", 0))
	x.steps = append(x.steps, "monitor_execution")
}

func (x *execution) finish(out outcome) {
	switch out {
	case succeeded:
		x.succeed()
	case failed:
		x.fail()
	default:
		x.timeOut()
	}
}

func (x *execution) succeed() {
	wall := x.g.between(200*time.Millisecond, 8*time.Second)
	x.at = x.at.Add(wall)
	x.add("pod_succeeded", svcPodMonitor, 0, 50*time.Millisecond,
		e("pod_name", x.pod), e("exit_code", 0), e("stdout", x.script.stdout), e("stderr", ""))
	x.add("execution_completed", svcPodMonitor, 20*time.Millisecond, 100*time.Millisecond,
		e("exit_code", 0), e("resource_usage", x.usage(wall)), e("stdout", x.script.stdout), e("stderr", ""))
	x.storeResult(len(x.script.stdout))
	x.add("saga_completed", svcSaga, 10*time.Millisecond, 50*time.Millisecond,
		e("saga_id", x.sagaID), e("saga_name", sagaName), e("completed_steps", slices.Clone(x.steps)))
}

func (x *execution) fail() {
	wall := x.g.between(100*time.Millisecond, 3*time.Second)
	x.at = x.at.Add(wall)
	f := pick(x.g, x.rt.failures)
	stderr := fmt.Sprintf(f.stderr, 1+x.g.r.IntN(12))
	errType, exit, msg := "script_error", f.exitCode, "Script exited with non-zero status"
	if x.g.chance(15) {
		errType, exit, msg, stderr = "resource_limit", 137, "Container killed: memory limit 128Mi exceeded (OOMKilled)", ""
	}
	x.add("pod_failed", svcPodMonitor, 0, 50*time.Millisecond,
		e("pod_name", x.pod), e("exit_code", exit), e("reason", "Error"), e("message", msg),
		e("stdout", ""), e("stderr", stderr))
	x.add("execution_failed", svcPodMonitor, 20*time.Millisecond, 100*time.Millisecond,
		e("exit_code", exit), e("error_type", errType), e("error_message", msg),
		e("resource_usage", x.usage(wall)), e("stdout", ""), e("stderr", stderr))
	x.storeResult(len(stderr))
	x.add("saga_failed", svcSaga, 10*time.Millisecond, 50*time.Millisecond,
		e("saga_id", x.sagaID), e("saga_name", sagaName), e("failed_step", "monitor_execution"),
		e("error", fmt.Sprintf("execution %s failed with exit code %d", x.execID, exit)))
}

func (x *execution) timeOut() {
	wall := time.Duration(x.timeout) * time.Second
	x.at = x.at.Add(wall)
	x.add("pod_failed", svcPodMonitor, 0, 50*time.Millisecond,
		e("pod_name", x.pod), e("exit_code", 137), e("reason", "DeadlineExceeded"),
		e("message", "Pod was active on the node longer than the specified deadline"),
		e("stdout", ""), e("stderr", ""))
	x.add("execution_timeout", svcPodMonitor, 20*time.Millisecond, 100*time.Millisecond,
		e("timeout_seconds", x.timeout), e("resource_usage", x.usage(wall)), e("stdout", ""), e("stderr", ""))
	x.storeResult(0)
	x.add("saga_failed", svcSaga, 10*time.Millisecond, 50*time.Millisecond,
		e("saga_id", x.sagaID), e("saga_name", sagaName), e("failed_step", "monitor_execution"),
		e("error", fmt.Sprintf("execution timed out after %ds", x.timeout)))
}

// storeResult records the result write; a few writes fail, as they do.
func (x *execution) storeResult(size int) {
	if x.g.chance(3) {
		x.add("result_failed", svcResult, 30*time.Millisecond, 200*time.Millisecond,
			e("error", fmt.Sprintf("mongo write to executions timed out after %dms", 5000+x.g.r.IntN(5000))),
			e("storage_type", "database"))
		return
	}
	x.add("result_stored", svcResult, 30*time.Millisecond, 200*time.Millisecond,
		e("storage_type", "database"), e("storage_path", "executions/"+x.execID), e("size_bytes", 256+size))
}

func (x *execution) cleanup(out outcome) {
	reasons := map[outcome]string{succeeded: "execution_completed", failed: "execution_failed", timedOut: "execution_timeout"}
	x.add("delete_pod_command", svcSaga, 10*time.Millisecond, 50*time.Millisecond,
		e("saga_id", x.sagaID), e("reason", reasons[out]), e("pod_name", x.pod), e("namespace", namespace))
	x.add("pod_deleted", svcK8sWorker, 500*time.Millisecond, 2*time.Second,
		e("pod_name", x.pod), e("reason", "cleanup"))
	x.release()
}

func (x *execution) release() {
	x.add("release_resources_command", svcSaga, 10*time.Millisecond, 50*time.Millisecond,
		e("cpu_request", "50m"), e("memory_request", "64Mi"))
}

// cancel is a user cancelling while the execution still waits in the queue.
func (x *execution) cancel() {
	x.add("execution_cancelled", svcAPI, 500*time.Millisecond, 5*time.Second,
		e("reason", "user_requested"), e("cancelled_by", x.user), e("force_terminated", false))
	x.wait(10*time.Millisecond, 50*time.Millisecond)
	x.add("saga_cancelled", svcSaga, 0, 0,
		e("saga_id", x.sagaID), e("saga_name", sagaName), e("reason", "user_requested"),
		e("completed_steps", slices.Clone(x.steps)), e("compensated_steps", []string{"allocate_resources"}),
		e("cancelled_at", x.at), e("cancelled_by", x.user))
	x.release()
}

// usage is the resource_usage the pod monitor reads from the container.
func (x *execution) usage(wall time.Duration) bson.D {
	const clkTck = 100
	secs := math.Round(wall.Seconds()*1000) / 1000
	cpu := int(wall.Seconds() * clkTck * (0.2 + 0.7*x.g.r.Float64()))
	return bson.D{
		e("execution_time_wall_seconds", secs), e("cpu_time_jiffies", cpu),
		e("clk_tck_hertz", clkTck), e("peak_memory_kb", 8_000+x.g.r.IntN(110_000)),
	}
}
