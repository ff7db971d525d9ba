package output_test

import (
	"fmt"
	"strconv"

	"github.com/integr8scode/replayctl/internal/output"
)

type topic struct {
	Name       string `json:"name"`
	Partitions int    `json:"partitions"`
	Status     string `json:"status"`
}

type topics []topic

func (t topics) TableHeader() []string { return []string{"NAME", "PARTITIONS", "STATUS"} }

func (t topics) TableRows(st *output.Styles) [][]string {
	rows := make([][]string, 0, len(t))
	for _, x := range t {
		rows = append(rows, []string{x.Name, strconv.Itoa(x.Partitions), st.Status(x.Status)})
	}
	return rows
}

// A command returns data; the printer picks the presentation.
func ExamplePrinter_Print() {
	ios, _, out, _ := output.Test()
	data := topics{{"orders", 12, "running"}, {"payments", 3, "paused"}}

	ios.SetStdoutTTY(true) // what a person sees
	_ = output.NewPrinter(ios, output.FormatTable).Print(data)

	ios.SetStdoutTTY(false) // what `replayctl ... | cut -f1` sees
	_ = output.NewPrinter(ios, output.FormatTable).Print(data)

	_ = output.NewPrinter(ios, output.FormatYAML).Print(data[:1])
	fmt.Print(out.String())
	// Output:
	// NAME      PARTITIONS  STATUS
	// orders    12          running
	// payments  3           paused
	// NAME	PARTITIONS	STATUS
	// orders	12	running
	// payments	3	paused
	// - name: orders
	//   partitions: 12
	//   status: running
}
