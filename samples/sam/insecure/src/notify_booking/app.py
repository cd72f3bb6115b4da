"""Publish the booking outcome to the booking topic."""

import json
import os

import boto3

SNS = boto3.client("sns")


def handler(event, context):
    SNS.publish(TopicArn=os.environ["BOOKING_TOPIC"], Message=json.dumps(event, default=str))
    return {"notified": True}
