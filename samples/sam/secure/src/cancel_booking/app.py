"""Cancel a booking."""

import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["BOOKING_TABLE"])


def handler(event, context):
    booking_id = event.get("booking", event).get("id")
    if booking_id:
        TABLE.update_item(
            Key={"id": booking_id},
            UpdateExpression="SET #s = :s",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": "CANCELLED"},
        )
    return {"id": booking_id, "status": "CANCELLED"}
