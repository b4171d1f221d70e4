#!/usr/bin/python3
"""The original project's store consumer (SPEC section 1), rewritten with pika as the
bench's anchor for draining a backlog.

Kept as the original had it: a StoreService whose consumer thread connects with a
BlockingConnection (retrying every 5 seconds), consumes with auto_ack=True, and
sets inventory[product_id] = quantity from each JSON body; a plain dict, no disk.

Two changes so it can be timed against our queue:
- The original declared a plain non-durable `inventory_updates`; our queue is durable
  with a dead-letter route, and declaring it differently fails. So the queue is only
  looked up (passive declare), never redeclared.
- Instead of the prompt, the main thread waits until --count messages have been
  consumed, prints "consumed N in S s" (seconds since this script started) and exits.

    original_store.py --url amqp://guest:guest@127.0.0.1:5672 --queue inventory_updates --count 100000
"""
import time

START = time.monotonic()  # before the imports: pika's import is part of the original's start-up

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402

import pika  # noqa: E402


class StoreService:
    def __init__(self, url, queue, count):
        self.parameters = pika.URLParameters(url)
        self.queue = queue
        self.count = count
        self.inventory = {}
        self.consumed = 0
        self.done = threading.Event()
        self.connection = None
        self.channel = None

    def connect(self):
        while True:
            try:
                self.connection = pika.BlockingConnection(self.parameters)
                self.channel = self.connection.channel()
                self.channel.queue_declare(queue=self.queue, passive=True)
                self.channel.basic_consume(queue=self.queue, on_message_callback=self.process_inventory_update,
                                           auto_ack=True)
                self.channel.start_consuming()  # returns once --count messages are in
                self.connection.close()
                return
            except pika.exceptions.AMQPConnectionError:
                print("Connection failed, retrying in 5 seconds...", file=sys.stderr)
                time.sleep(5)

    def process_inventory_update(self, ch, method, properties, body):
        data = json.loads(body)
        self.inventory[data["product_id"]] = data["quantity"]
        self.consumed += 1
        if self.consumed == self.count:
            print(f"consumed {self.consumed} in {time.monotonic() - START:.3f} s", flush=True)
            self.done.set()
            ch.stop_consuming()

    def check_inventory(self, product_id, quantity):
        if quantity <= 0:
            return "INVALID_QUANTITY"
        if product_id not in self.inventory:
            return "PRODUCT_NOT_FOUND"
        return "AVAILABLE" if self.inventory[product_id] >= quantity else "INSUFFICIENT_QUANTITY"

    def run(self):
        consumer = threading.Thread(target=self.connect, daemon=True)
        consumer.start()
        self.done.wait()
        consumer.join()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--queue", default="inventory_updates")
    parser.add_argument("--count", type=int, required=True)
    args = parser.parse_args()
    StoreService(args.url, args.queue, args.count).run()


if __name__ == "__main__":
    main()
