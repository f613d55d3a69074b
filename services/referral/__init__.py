"""Referral: closed-loop referrals of questions to catalogue services, and a Kafka feed per partner (write side)."""
