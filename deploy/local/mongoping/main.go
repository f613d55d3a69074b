// Command mongoping is the readiness probe of deploy/local/stack: it connects
// to a MongoDB wire-protocol server (FerretDB here) and runs {ping: 1} against
// the admin database. Exit status 0 means the server answered the ping.
//
//	mongoping [-addr 127.0.0.1:27017] [-timeout 2s] [-q]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:27017", "host:port of the server")
	timeout := flag.Duration("timeout", 2*time.Second, "overall timeout")
	quiet := flag.Bool("q", false, "print nothing on success or failure")
	flag.Parse()

	if err := ping(*addr, *timeout); err != nil {
		if !*quiet {
			fmt.Fprintf(os.Stderr, "mongoping: %s: %v\n", *addr, err)
		}
		os.Exit(1)
	}
	if !*quiet {
		fmt.Printf("mongoping: %s: ok\n", *addr)
	}
}

func ping(addr string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	opts := options.Client().
		ApplyURI("mongodb://" + addr + "/").
		SetDirect(true).
		SetServerSelectionTimeout(timeout).
		SetConnectTimeout(timeout)

	client, err := mongo.Connect(ctx, opts)
	if err != nil {
		return err
	}
	// No client.Disconnect: it sends endSessions, which FerretDB 1.x answers with
	// CommandNotFound and logs as a warning on every probe. The process exits right
	// after, which closes the connection anyway.

	return client.Database("admin").RunCommand(ctx, bson.D{{Key: "ping", Value: 1}}).Err()
}
