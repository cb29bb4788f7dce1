// Command sparkle-pstest serves Google's in-memory Pub/Sub fake (cloud.google.com/go/pubsub/v2/pstest)
// on a loopback address, for the tests of @sparkle/connector-pubsub. tools/services/ensure-pubsub.sh
// builds and starts it; state lives in memory only, so every start is empty.
//
//	sparkle-pstest -addr 127.0.0.1:8085          serve until SIGINT/SIGTERM
//	sparkle-pstest -probe 127.0.0.1:8085         exit 0 when a Pub/Sub server answers ListTopics there
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"cloud.google.com/go/pubsub/v2/pstest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8085", "host:port to serve on (loopback only)")
	probe := flag.String("probe", "", "host:port of a server to probe instead of serving")
	flag.Parse()
	if *probe != "" {
		os.Exit(probeServer(*probe))
	}
	server := pstest.NewServerWithAddress(*addr)
	log.Printf("pstest serving on %s", server.Addr)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
	_ = server.Close()
}

// probeServer asks for one topic of a project: the fake answers (with none), anything else does not.
func probeServer(addr string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer conn.Close()
	_, err = pubsubpb.NewPublisherClient(conn).ListTopics(ctx, &pubsubpb.ListTopicsRequest{Project: "projects/sparkle-probe", PageSize: 1})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
