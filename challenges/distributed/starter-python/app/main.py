# Your distributed system node. Stage 1 (stages/distributed/01-echo.md) starts here:
# read one JSON message per line on stdin; answer init with init_ok and echo with
# echo_ok, each as one line of JSON on stdout (flushed), in_reply_to the request's msg_id.
import json
import sys

for line in sys.stdin:
    message = json.loads(line)
    print(f"got {message['body']['type']}: not answering yet (see stage 1)", file=sys.stderr, flush=True)
