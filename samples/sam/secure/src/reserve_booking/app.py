"""Reserve a booking: one PutItem on the booking table."""

import os
import uuid

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["BOOKING_TABLE"])


def handler(event, context):
    booking = {"id": str(uuid.uuid4()), "status": "RESERVED", **event.get("booking", {})}
    TABLE.put_item(Item=booking)
    return booking
