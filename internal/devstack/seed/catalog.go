package seed

// Service names as the platform's services set metadata.service_name.
const (
	svcAPI          = "api"
	svcCoordinator  = "execution-coordinator"
	svcSaga         = "saga-orchestrator"
	svcK8sWorker    = "k8s-worker"
	svcPodMonitor   = "pod-monitor"
	svcResult       = "result-processor"
	svcNotification = "notification-service"

	serviceVersion = "1.0.0"
	eventVersion   = "1.0"
	environment    = "development"
	namespace      = "integr8scode"
	sagaName       = "execution_saga"
	containerName  = "script-runner"
)

// script is one program a user might submit, with what it prints.
type script struct {
	source, stdout string
}

// failure is how a script of some runtime dies: stderr is a format with one
// %d (a line number), exitCode what the container reports.
type failure struct {
	stderr   string
	exitCode int
}

// runtime is a language image the platform can run.
type runtime struct {
	language, version, image, filename string
	command                            []string
	scripts                            []script
	failures                           []failure
}

var runtimes = []runtime{
	{
		language: "python", version: "3.11", image: "python:3.11-slim", filename: "main.py", command: []string{"python"},
		scripts: []script{
			{"print('Hello, World!')", "Hello, World!\n"},
			{"for i in range(5):\n    print(i * i)\n", "0\n1\n4\n9\n16\n"},
			{"import math\nprint(math.factorial(20))\n", "2432902008176640000\n"},
		},
		failures: []failure{
			{"Traceback (most recent call last):\n  File \"/scripts/main.py\", line %d, in <module>\nZeroDivisionError: division by zero\n", 1},
			{"Traceback (most recent call last):\n  File \"/scripts/main.py\", line %d, in <module>\nNameError: name 'reslt' is not defined\n", 1},
			{"Traceback (most recent call last):\n  File \"/scripts/main.py\", line %d, in <module>\nKeyError: 'user_id'\n", 1},
		},
	},
	{
		language: "python", version: "3.12", image: "python:3.12-slim", filename: "main.py", command: []string{"python"},
		scripts: []script{
			{"data = [3, 1, 2]\nprint(sorted(data))\n", "[1, 2, 3]\n"},
			{"print(sum(range(1, 101)))\n", "5050\n"},
		},
		failures: []failure{
			{"Traceback (most recent call last):\n  File \"/scripts/main.py\", line %d, in <module>\nIndexError: list index out of range\n", 1},
		},
	},
	{
		language: "node", version: "20", image: "node:20-alpine", filename: "main.js", command: []string{"node"},
		scripts: []script{
			{"console.log([1, 2, 3].map(x => x * 2).join(','))\n", "2,4,6\n"},
			{"console.log(JSON.stringify({ ok: true }))\n", "{\"ok\":true}\n"},
		},
		failures: []failure{
			{"/scripts/main.js:%d\nTypeError: Cannot read properties of undefined (reading 'length')\n", 1},
		},
	},
	{
		language: "go", version: "1.22", image: "golang:1.22-alpine", filename: "main.go", command: []string{"go", "run"},
		scripts: []script{
			{"package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"sum:\", 21+21) }\n", "sum: 42\n"},
		},
		failures: []failure{
			{"panic: runtime error: index out of range [3] with length 3\n\ngoroutine 1 [running]:\nmain.main()\n\t/scripts/main.go:%d +0x1d\nexit status 2\n", 2},
		},
	},
	{
		language: "ruby", version: "3.3", image: "ruby:3.3-alpine", filename: "main.rb", command: []string{"ruby"},
		scripts: []script{
			{"puts (1..10).sum\n", "55\n"},
		},
		failures: []failure{
			{"/scripts/main.rb:%d:in `<main>': undefined method `upcase' for nil (NoMethodError)\n", 1},
		},
	},
	{
		language: "bash", version: "5.2", image: "bash:5.2", filename: "main.sh", command: []string{"bash"},
		scripts: []script{
			{"echo \"$((6 * 7))\"\n", "42\n"},
		},
		failures: []failure{
			{"/scripts/main.sh: line %d: jq: command not found\n", 127},
		},
	},
}

var nodeNames = []string{
	"worker-pool-a-7xk2p", "worker-pool-a-9qd4m", "worker-pool-b-2hf8n", "worker-pool-b-5tz1c",
}

var userAgents = []string{
	"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
	"python-httpx/0.27.0",
}

var settingsFields = []string{"theme", "editor.font_size", "editor.tab_size", "notifications.email", "timezone"}

// dlqError is a failure that puts an event on the dead letter queue. The
// format is filled by errorText with ids and numbers, because operators
// search and group by them; some only make sense for an execution.
type dlqError struct {
	format    string
	needsExec bool
}

// Format verbs: 1 topic, 2 execution id, 3 partition, 4 attempts,
// 5 service, 6 event id, 7 offset or byte position.
var dlqErrors = []dlqError{
	{"KafkaTimeoutError: produce to %[1]s timed out after 30000ms (partition %[3]d)", false},
	{"ValidationError: pod executor-%[2]s missing field 'exit_code'", true},
	{"ProcessingError: handler %[5]s raised KeyError('resource_usage') for execution %[2]s", true},
	{"KubernetesApiError: (409) Conflict: pods \"executor-%[2]s\" already exists", true},
	{"ConnectionError: mongodb://mongo:27017/integr8scode_db connection refused after %[4]d attempts", false},
	{"SerializationError: cannot decode event %[6]s: field 'priority' expected str, got int at byte %[7]d", false},
	{"TimeoutError: consumer group %[5]s-group exceeded 30s processing deadline at offset %[7]d", false},
}

// manualDiscardReasons are what operators type when they discard by hand.
var manualDiscardReasons = []string{
	"manual: duplicate of a replayed event",
	"manual: payload schema obsolete after v1.2 migration",
	"manual: execution already cleaned up",
}
