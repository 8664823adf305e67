// Command accord-ferretdb runs an embedded FerretDB 1.24 (MongoDB wire protocol over SQLite)
// for Accord's development server and tests. A plain `go install` of FerretDB's own cmd panics
// (its version.txt is generated at release time), so this program imports the embeddable package.
//
// It listens on 127.0.0.1 only, keeps telemetry off, prints one line `ready <mongodb-uri>` on
// stdout once it accepts connections, and exits when stdin closes or on SIGINT/SIGTERM, so it
// never outlives the Node process that started it.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	port := flag.Int("port", 0, "TCP port on 127.0.0.1 (0 picks a free one)")
	dataDir := flag.String("data", "", "directory for the SQLite databases (required)")
	logLevel := flag.String("log-level", "error", "debug, info, warn or error")
	watchStdin := flag.Bool("watch-stdin", true, "exit when standard input closes")
	synchronous := flag.String("synchronous", "normal", "SQLite synchronous pragma: normal (WAL-safe, fast) or full")
	flag.Parse()

	if *dataDir == "" {
		fmt.Fprintln(os.Stderr, "accord-ferretdb: -data is required")
		os.Exit(2)
	}
	abs, err := filepath.Abs(*dataDir)
	if err != nil {
		fail(err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		fail(err)
	}

	// Telemetry is never started by the embeddable package; DO_NOT_TRACK makes that explicit.
	_ = os.Setenv("DO_NOT_TRACK", "1")
	_ = os.Setenv("FERRETDB_TELEMETRY", "disable")

	if *synchronous != "normal" && *synchronous != "full" {
		fail(fmt.Errorf("-synchronous must be normal or full, got %q", *synchronous))
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fail(err)
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	f, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: fmt.Sprintf("127.0.0.1:%d", *port)},
		Logger:   logger,
		Handler:  "sqlite",
		// WAL is FerretDB's default; synchronous=normal keeps the database consistent after a crash
		// and only risks the last commits on power loss, which suits a development store.
		SQLiteURL: "file:" + abs + "/?_pragma=synchronous(" + *synchronous + ")",
	})
	if err != nil {
		fail(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *watchStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	fmt.Printf("ready %s\n", f.MongoDBURI())

	if err := <-done; err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "accord-ferretdb: %v\n", err)
	os.Exit(1)
}
