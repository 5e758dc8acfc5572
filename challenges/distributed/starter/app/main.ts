// Your distributed system node. Stage 1 (stages/distributed/01-echo.md) starts here:
// read one JSON message per line on stdin; answer init with init_ok and echo with
// echo_ok, each as one line of JSON on stdout, in_reply_to the request's msg_id.
for await (const line of console) {
  const message = JSON.parse(line);
  console.error(`got ${message.body.type}: not answering yet (see stage 1)`);
}
