/* tests/unit/test_certs.h: a certificate and key for tests that need real PEM text. */
#ifndef VPND_TEST_CERTS_H
#define VPND_TEST_CERTS_H

#include "util/macro.h"

/* A self-signed P-256 certificate (CN=unit, serial 0x42, notAfter 2036-11-28T12:09:01Z) and
 * its key, made with the openssl command line for these tests. */
static const char UNIT_CERT[] _unused_ =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBYDCCAQagAwIBAgIBQjAKBggqhkjOPQQDAjAPMQ0wCwYDVQQDDAR1bml0MB4X\n"
    "DTI2MTIwMTEyMDkwMVoXDTM2MTEyODEyMDkwMVowDzENMAsGA1UEAwwEdW5pdDBZ\n"
    "MBMGByqGSM49AgEGCCqGSM49AwEHA0IABNtetj/JPg/hX/qf+KIsqapVp6iHs55Y\n"
    "x5vLvzPcDQMmqlB8wDRjvjyY72UHFM2ogPpVitGI9CXjAekEXi6rlVWjUzBRMB0G\n"
    "A1UdDgQWBBTV1h0S1jC7wnXTUWEygEo4fNNfKTAfBgNVHSMEGDAWgBTV1h0S1jC7\n"
    "wnXTUWEygEo4fNNfKTAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUC\n"
    "IQD1aWyldbiC5wHrAUyhpknMqkyrVER7ufvbVo0R0JUACAIgKk5GnhzqWmia1FDs\n"
    "YFOHWmvx2qS2pSfgb4QrIiMEMQI=\n"
    "-----END CERTIFICATE-----\n";
static const char UNIT_KEY[] _unused_ =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgNWFKN5fym30hqpZy\n"
    "J3mnXcFwOHQayTHgXPEvc4Cr3u2hRANCAATbXrY/yT4P4V/6n/iiLKmqVaeoh7Oe\n"
    "WMeby78z3A0DJqpQfMA0Y748mO9lBxTNqID6VYrRiPQl4wHpBF4uq5VV\n"
    "-----END PRIVATE KEY-----\n";

#endif
