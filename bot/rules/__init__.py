"""The rule engine (sessions 1–11): answer-or-refuse and sentence choice by rules grown from the seed article."""
