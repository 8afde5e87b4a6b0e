"""Start an image account transfer and cancel it through pydo,
DigitalOcean's official Python client, against a sandbox.

Run by crates/do-images-sandbox/tests/pydo_client.rs.

Usage: python account_transfer.py BASE_URL TOKEN IMAGE_ID RECIPIENT_EMAIL
Prints one JSON object: pydo's result for the start, the cancel, and a
second cancel of the same transfer.
"""

import json
import sys

from pydo import Client


def main() -> None:
    base_url, token, image_id, email = sys.argv[1:5]
    client = Client(token=token, endpoint=base_url)
    # The sandbox speaks plain http on 127.0.0.1; pydo refuses to send a
    # bearer token over http unless each call says so.
    started = client.images.post_account_transfer_create(
        image_id=int(image_id),
        body={"recipient_email": email},
        enforce_https=False,
    )
    cancel = {"transfer_id": started["transfer_id"]}
    cancelled = client.images.post_account_transfer_cancel(
        image_id=int(image_id), body=cancel, enforce_https=False
    )
    # pydo returns the error body of a documented 404 instead of raising.
    again = client.images.post_account_transfer_cancel(
        image_id=int(image_id), body=cancel, enforce_https=False
    )
    print(json.dumps({"started": started, "cancelled": cancelled, "again": again}))


if __name__ == "__main__":
    main()
