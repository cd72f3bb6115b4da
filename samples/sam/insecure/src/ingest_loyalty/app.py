"""Add loyalty points for each booking notification."""

import json
import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["LOYALTY_TABLE"])


def handler(event, context):
    for record in event.get("Records", []):
        booking = json.loads(record["Sns"]["Message"])
        customer = booking.get("customerId")
        if customer and booking.get("status") == "CONFIRMED":
            TABLE.update_item(
                Key={"customerId": customer},
                UpdateExpression="ADD points :p",
                ExpressionAttributeValues={":p": 100},
            )
